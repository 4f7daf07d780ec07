package io.raftcron.bench;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * One scenario's figures: printed as ONE JSON line on stdout (for scripts and the comparison
 * table) and as a short human summary on stderr. Every result carries the load average at its
 * start and end, because the machine is shared and the numbers mean little without it.
 */
final class Result {
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().serializeSpecialFloatingPointValues().create();

  private final Map<String, Object> fields = new LinkedHashMap<>();
  private final List<String> summary = new ArrayList<>();

  /** @param loadAtStart the 1-minute load average when the scenario's measurement began */
  Result(String scenario, double loadAtStart) {
    fields.put("scenario", scenario);
    fields.put("cores", Machine.cores());
    fields.put("load_avg_start", loadAtStart);
  }

  Result put(String name, Object value) {
    fields.put(name, value instanceof Double d ? round(d) : value);
    return this;
  }

  /** p50 / p99 / max of a histogram of microseconds, in milliseconds. */
  Result latency(String name, Histogram micros) {
    Map<String, Object> ms = new LinkedHashMap<>();
    ms.put("count", micros.getTotalCount());
    ms.put("p50", round(micros.getValueAtPercentile(50) / 1000.0));
    ms.put("p99", round(micros.getValueAtPercentile(99) / 1000.0));
    ms.put("max", round(micros.getMaxValue() / 1000.0));
    fields.put(name, ms);
    return this;
  }

  /** p50 / p99 known only as the bounds of the buckets they fall in (a scraped histogram), in milliseconds. */
  Result latencyBounds(String name, long count, double p50AtMostMs, double p99AtMostMs) {
    Map<String, Object> ms = new LinkedHashMap<>();
    ms.put("count", count);
    ms.put("p50_at_most", p50AtMostMs);
    ms.put("p99_at_most", p99AtMostMs);
    fields.put(name, ms);
    return this;
  }

  Result line(String text) {
    summary.add(text);
    return this;
  }

  Object get(String name) {
    return fields.get(name);
  }

  String json() {
    return GSON.toJson(fields);
  }

  void print(PrintStream out, PrintStream human) {
    fields.put("load_avg_end", Machine.loadAverage());
    out.println(json());
    out.flush();
    human.println("== " + fields.get("scenario") + " (load average " + fields.get("load_avg_start") + " → "
        + fields.get("load_avg_end") + " on " + fields.get("cores") + " cores)");
    summary.forEach(s -> human.println("   " + s));
    human.flush();
  }

  static String ms(Histogram micros) {
    return String.format("p50 %.1f ms, p99 %.1f ms, max %.1f ms",
        micros.getValueAtPercentile(50) / 1000.0, micros.getValueAtPercentile(99) / 1000.0,
        micros.getMaxValue() / 1000.0);
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
