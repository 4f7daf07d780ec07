package io.raftcron.bench;

import java.time.Duration;
import java.time.Instant;

/** Sleeps for a harness's pacing (never to wait for a condition someone could signal). */
final class Pause {
  private Pause() {}

  static void millis(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Sleeps until {@code t} (not at all if it has passed). */
  static void until(Instant t) {
    long ms = Duration.between(Instant.now(), t).toMillis();
    if (ms > 0) {
      millis(ms);
    }
  }
}
