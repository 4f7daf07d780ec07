package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.raft.LeadershipLostException;
import io.raftcron.raft.NotLeaderException;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;

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
  /**
   * How long one slice of long work holds the executor: a slot's fires wait behind every task
   * there (a retention sweep's whole pass in one task took 12 % of the CPU at 60 000 jobs; an alert
   * check of 10 000 new jobs held it 360 ms).
   */
  static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  /** Work done in slices: it goes on, at least one step, until done or until {@code timeUp} says so. */
  @FunctionalInterface
  interface Steps {
    /** True when the work is done. */
    boolean advance(BooleanSupplier timeUp);
  }

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

  /**
   * Does {@code work} on the executor {@link #SLICE_NANOS} at a time, whatever else is due running
   * between slices, for as long as {@code wanted} holds (it is cancelled when that stops). The
   * future completes on the executor's thread when the work is done, or with what it threw.
   */
  CompletableFuture<Void> inSlices(Steps work, BooleanSupplier wanted) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    executor.execute(new Slice(work, wanted, done));
    return done;
  }

  /** One slice of {@code work}, which queues the next one until the work is done or unwanted. */
  private final class Slice implements LeaderTask {
    private final Steps work;
    private final BooleanSupplier wanted;
    private final CompletableFuture<Void> done;

    Slice(Steps work, BooleanSupplier wanted, CompletableFuture<Void> done) {
      this.work = work;
      this.wanted = wanted;
      this.done = done;
    }

    @Override
    public Class<?> origin() {
      return work.getClass();
    }

    @Override
    public void run() {
      if (!wanted.getAsBoolean()) {
        done.cancel(false);
        return;
      }
      long deadline = System.nanoTime() + SLICE_NANOS;
      try {
        if (!work.advance(() -> System.nanoTime() - deadline >= 0)) {
          executor.execute(this);
          return;
        }
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
        return;
      }
      done.complete(null);
    }
  }

  /**
   * Whether {@code failure} says this node stopped leading: a proposal refused as not the leader, or one in flight at a
   * step-down. jraft ends the leader session then (a transfer too; one that times out starts a new session, even in
   * the same term), so a loop of it tries nothing again: the next session decides from the committed state, where an
   * entry whose outcome was unknown shows whether it committed.
   */
  static boolean endedBy(Throwable failure) {
    return leadershipEnd(failure) != null;
  }

  /** The failure in {@code failure}'s cause chain that says this node stopped leading, or null. */
  private static Throwable leadershipEnd(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof LeadershipLostException || t instanceof NotLeaderException) {
        return t;
      }
    }
    return null;
  }

  /**
   * Logs the failed proposal of a loop that tries again later: at INFO when this node stopped leading (expected at a
   * step-down or a transfer, whose end of the session also cancels the retry), else at WARN.
   */
  static void logFailure(Logger log, String what, Throwable failure) {
    Throwable end = leadershipEnd(failure);
    if (end != null) {
      log.info("{} did not complete as this node stopped leading: {}", what, end.getMessage());
    } else {
      log.warn("{} failed, trying again later: {}", what, failure.toString());
    }
  }

  /** Runs {@code task} after a failed proposal's back-off: try again shortly, never in a hot loop. */
  ScheduledFuture<?> retryLater(Runnable task) {
    return executor.schedule(task, RETRY_AFTER_FAILURE.toMillis(), TimeUnit.MILLISECONDS);
  }
}
