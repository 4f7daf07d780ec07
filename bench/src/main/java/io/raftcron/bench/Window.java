package io.raftcron.bench;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * A measurement window of whole seconds, from a whole second after a warm-up: every job
 * firing every second has exactly one slot per second of it.
 */
record Window(Instant start, Instant end) {
  /** After the window, how long its last slots get to commit (or start) before they count as missed. */
  private static final Duration SETTLE = Duration.ofSeconds(3);

  /**
   * Waits {@code warmup}, then places a window of {@code seconds} from a whole second at least one
   * second ahead, so that a scenario has time to take its readings before the window's first slot.
   */
  static Window after(Duration warmup, int seconds) {
    Pause.millis(warmup.toMillis());
    Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
    return new Window(start, start.plusSeconds(seconds));
  }

  int seconds() {
    return (int) Duration.between(start, end).toSeconds();
  }

  void awaitStart() {
    Pause.until(start);
  }

  void awaitEnd() {
    Pause.until(end);
  }

  /** Lets the window's last slots settle, after its end. */
  void settle() {
    Pause.millis(SETTLE.toMillis());
  }
}
