package io.raftcron.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A histogram read back from the text format the nodes serve, and the difference of two scrapes. */
class ScrapedHistogramTest {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram lateness = Histogram.builder()
      .name("lateness_seconds")
      .help("test")
      .classicOnly()
      .classicUpperBounds(0.01, 0.02, 0.05)
      .register(registry);

  @Test
  void quantilesAreKnownToTheBucketAndTheShareWithinABoundExactly() throws IOException {
    observe(0.005, 50);
    observe(0.015, 49);
    observe(0.03, 1);
    ScrapedHistogram first = ScrapedHistogram.parse(scrape(), "lateness_seconds");

    assertThat(first.count()).isEqualTo(100);
    assertThat(first.quantileBound(0.50)).isEqualTo(0.01);
    assertThat(first.quantileBound(0.99)).isEqualTo(0.02);
    assertThat(first.quantileBound(1.0)).isEqualTo(0.05);
    assertThat(first.shareWithin(0.02)).isEqualTo(0.99);
    assertThatThrownBy(() -> first.shareWithin(0.015)).hasMessageContaining("not a bucket bound");

    observe(0.03, 10);
    observe(1.5, 10);
    ScrapedHistogram between = ScrapedHistogram.parse(scrape(), "lateness_seconds").minus(first);
    assertThat(between.count()).isEqualTo(20);
    assertThat(between.shareWithin(0.02)).isZero();
    assertThat(between.quantileBound(0.50)).isEqualTo(0.05);
    assertThat(between.quantileBound(0.99)).isInfinite();
  }

  @Test
  void aHistogramTheScrapeDoesNotHoldIsAnError() throws IOException {
    String text = scrape();
    assertThatThrownBy(() -> ScrapedHistogram.parse(text, "missing_seconds")).hasMessageContaining("missing_seconds");
    assertThat(ScrapedHistogram.parse(text, "lateness_seconds").quantileBound(0.99)).isNaN();
  }

  private void observe(double seconds, int times) {
    for (int i = 0; i < times; i++) {
      lateness.observe(seconds);
    }
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, registry.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
