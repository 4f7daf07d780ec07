package io.raftcron.server;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** One scrape of a node's registry in the Prometheus text format, as a scraper would read it. */
record Scrape(String text, Map<String, Double> samples) {
  static Scrape of(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      int split = line.lastIndexOf(' ');
      samples.put(line.substring(0, split), Double.parseDouble(line.substring(split + 1)));
    }
    return new Scrape(text, samples);
  }

  /** The sample with exactly this name and label text, e.g. {@code value("x_total", "job=\"a\"")}. */
  Optional<Double> value(String name, String labels) {
    return Optional.ofNullable(samples.get(labels.isEmpty() ? name : name + "{" + labels + "}"));
  }

  /** Every metric family name with at least one sample (histogram parts folded into their family). */
  Set<String> sampleNames() {
    Set<String> names = new TreeSet<>();
    for (String key : samples.keySet()) {
      int brace = key.indexOf('{');
      names.add(brace < 0 ? key : key.substring(0, brace));
    }
    return names;
  }
}
