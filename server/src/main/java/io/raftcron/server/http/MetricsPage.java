package io.raftcron.server.http;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MetricNameFilter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The node's registry in the Prometheus text exposition format; with {@code name[]} parameters,
 * as every Prometheus client's exporter takes them, only the metrics named, and only those are
 * collected (the queue's depth is counted at each scrape that includes it).
 */
final class MetricsPage {
  private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

  private final PrometheusRegistry registry;

  MetricsPage(PrometheusRegistry registry) {
    this.registry = registry;
  }

  /** Every metric if {@code names} is empty, else those named. */
  HttpReply scrape(List<String> names) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      WRITER.write(out, names.isEmpty()
          ? registry.scrape()
          : registry.scrape(MetricNameFilter.builder().nameMustBeEqualTo(names).build()));
    } catch (IOException e) {
      throw new UncheckedIOException("writing to memory cannot fail", e);
    }
    return new HttpReply(200, WRITER.getContentType(), out.toByteArray());
  }
}
