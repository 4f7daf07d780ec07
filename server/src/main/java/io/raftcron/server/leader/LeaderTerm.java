package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What every leader loop of one term works with: the committed state it plans from, the clock,
 * the single leader executor it runs on, and proposals fenced with this term.
 */
record LeaderTerm(
    long term,
    SchedulerStore store,
    CommandLog log,
    InstantSource clock,
    ScheduledExecutorService executor) {
  /** How long a loop waits after a proposal that failed (not committed, or not known to be). */
  static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(1);
  private static final long WAKE_MARGIN_MICROS = 200;

  CompletableFuture<CommandResult> propose(Command.Builder command) {
    return log.propose(term, command);
  }

  CompletableFuture<CommandResult> propose(PreparedCommand command) {
    return log.propose(term, command);
  }

  /**
   * Runs {@code task} on the executor once {@code due} has passed on the leader's clock (a little
   * late rather than early, so that the task finds it due and does not re-arm). To the
   * microsecond: a whole millisecond late would be a tenth of a 10 ms fire's lateness.
   */
  ScheduledFuture<?> wakeAt(Instant due, Runnable task) {
    // convert saturates (toNanos would throw for a due centuries ahead: @at takes years up to 9999).
    long micros = Math.max(0, TimeUnit.MICROSECONDS.convert(Duration.between(clock.instant(), due)));
    long delay = micros > Long.MAX_VALUE - WAKE_MARGIN_MICROS ? Long.MAX_VALUE : micros + WAKE_MARGIN_MICROS;
    return executor.schedule(task, delay, TimeUnit.MICROSECONDS);
  }

  /** Runs {@code task} after a failed proposal's back-off: try again shortly, never in a hot loop. */
  ScheduledFuture<?> retryLater(Runnable task) {
    return executor.schedule(task, RETRY_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
  }
}
