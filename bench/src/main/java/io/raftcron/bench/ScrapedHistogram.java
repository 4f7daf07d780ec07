package io.raftcron.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A classic histogram without labels as a node's {@code /metrics} shows it: cumulative counts per
 * upper bound. The difference of two scrapes is what was observed between them; its quantiles are
 * known to the bucket (the smallest bound that holds them), exact at a bound such as 20 ms.
 */
final class ScrapedHistogram {
  private static final Pattern BUCKET = Pattern.compile("_bucket\\{le=\"([^\"]+)\"} (\\S+)");

  private final double[] bounds;
  private final long[] cumulative;

  private ScrapedHistogram(double[] bounds, long[] cumulative) {
    this.bounds = bounds;
    this.cumulative = cumulative;
  }

  /** The buckets of histogram {@code name} in {@code text}, in the order written (ascending). */
  static ScrapedHistogram parse(String text, String name) {
    List<double[]> buckets = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.startsWith(name + "_bucket{")) {
        Matcher m = BUCKET.matcher(line.substring(name.length()));
        if (!m.matches()) {
          throw new IllegalArgumentException("not a bucket of " + name + ": " + line);
        }
        double bound = m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
        buckets.add(new double[] {bound, Double.parseDouble(m.group(2))});
      }
    }
    if (buckets.isEmpty()) {
      throw new IllegalArgumentException("no histogram " + name + " in the scrape");
    }
    return new ScrapedHistogram(
        buckets.stream().mapToDouble(b -> b[0]).toArray(), buckets.stream().mapToLong(b -> (long) b[1]).toArray());
  }

  /** What was observed after {@code earlier}, a scrape of the same histogram. */
  ScrapedHistogram minus(ScrapedHistogram earlier) {
    long[] diff = new long[cumulative.length];
    for (int i = 0; i < diff.length; i++) {
      diff[i] = cumulative[i] - earlier.cumulative[i];
    }
    return new ScrapedHistogram(bounds, diff);
  }

  long count() {
    return cumulative[cumulative.length - 1];
  }

  /** The share of the observations at or below {@code bound}, which must be a bucket bound. */
  double shareWithin(double bound) {
    for (int i = 0; i < bounds.length; i++) {
      if (bounds[i] == bound) {
        return count() == 0 ? 0 : cumulative[i] / (double) count();
      }
    }
    throw new IllegalArgumentException(bound + " is not a bucket bound");
  }

  /** The smallest bucket bound that holds the share {@code q} of the observations (NaN if none). */
  double quantileBound(double q) {
    if (count() == 0) {
      return Double.NaN;
    }
    for (int i = 0; i < bounds.length; i++) {
      if (cumulative[i] >= Math.ceil(q * count())) {
        return bounds[i];
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
