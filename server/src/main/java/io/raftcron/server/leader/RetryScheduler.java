package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.Completion;
import io.raftcron.proto.RequeueRetries;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.Times;
import io.raftcron.sm.applier.RetryRules;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.random.RandomGenerator;

/**
 * Retries, on the leader: stamps the next attempt time into the completion of a failed or
 * timed-out attempt that has attempts left (exponential backoff with jitter — the randomness is
 * the leader's, the applier only records the result), and re-queues RETRY_WAIT runs whose time
 * has come through a committed RequeueRetries entry. It keeps no index of its own: the RETRY_WAIT
 * runs are in the store, soonest first, so a new leader simply carries on. Runs only on the
 * leader's executor thread.
 */
final class RetryScheduler {
  static final int MAX_BATCH = 100;

  private final LeaderTerm leader;
  private final RandomGenerator random;
  private final Set<String> requeueing = new HashSet<>();
  private ScheduledFuture<?> timer;
  /** When {@link #timer} wakes. */
  private Instant timerAt;
  private boolean closed;

  RetryScheduler(LeaderTerm leader, RandomGenerator random) {
    this.leader = leader;
    this.random = random;
  }

  void start() {
    rearm();
  }

  /** A run may have entered or left RETRY_WAIT. */
  void retriesChanged() {
    rearm();
  }

  void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /**
   * The completion to propose: with {@code retry_at} when it reports a failed or timed-out
   * attempt of the run's current lease and the run's retry policy has attempts left.
   */
  Completion stamp(Completion completion) {
    RunState outcome = RetryRules.outcomeOf(completion);
    if (!RetryRules.mayRetry(outcome)) {
      return withoutRetry(completion); // most completions: no need to read the run
    }
    Run run = leader.store().run(completion.getRunId()).orElse(null);
    if (run == null
        || run.getState() != RunState.LEASED
        || run.getFencingToken() != completion.getFencingToken()) {
      return withoutRetry(completion); // refused as stale anyway; a retry time is only ever the leader's
    }
    if (!RetryRules.retries(run, outcome)) {
      return withoutRetry(completion);
    }
    Duration backoff = RetryRules.backoff(run.getRetry(), run.getAttempt(), random.nextDouble());
    return completion.toBuilder()
        .setRetryAt(Times.toTimestamp(leader.clock().instant().plus(backoff)))
        .build();
  }

  private static Completion withoutRetry(Completion completion) {
    return completion.hasRetryAt() ? completion.toBuilder().clearRetryAt().build() : completion;
  }

  private void rearm() {
    if (closed) {
      return;
    }
    Instant first = leader.store().retryingRuns(requeueing.size() + 1).stream()
        .filter(run -> !requeueing.contains(run.getRunId()))
        .findFirst()
        .map(run -> Times.toInstant(run.getNextAttemptAt()))
        .orElse(null);
    // Called at every completion: a cancelled timer stays in the executor's queue until it was due
    // (up to a day of backoff), so one is replaced only when the first retry time changed.
    if (first != null && timer != null && !timer.isDone() && first.equals(timerAt)) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    timerAt = first;
    if (first != null) {
      timer = leader.wakeAt(first, this::requeueDue);
    }
  }

  private void requeueDue() {
    if (closed) {
      return;
    }
    timer = null; // the timer that woke this is spent: a rearm from here must arm a new one
    Instant now = leader.clock().instant();
    List<String> due =
        leader.store().retryingRuns(MAX_BATCH + requeueing.size()).stream()
            .takeWhile(run -> !Times.toInstant(run.getNextAttemptAt()).isAfter(now))
            .map(Run::getRunId)
            .filter(id -> !requeueing.contains(id))
            .limit(MAX_BATCH)
            .toList();
    if (due.isEmpty()) {
      rearm();
      return;
    }
    requeueing.addAll(due);
    leader
        .propose(Command.newBuilder().setRequeueRetries(RequeueRetries.newBuilder().addAllRunIds(due)))
        .whenCompleteAsync(
            (result, failure) -> {
              due.forEach(requeueing::remove);
              if (failure == null) {
                rearm();
              } else if (!closed) {
                if (timer != null) {
                  timer.cancel(false);
                }
                timerAt = null; // not a wake at a retry time: the rearm it runs must arm one
                timer = leader.retryLater(this::rearm);
              }
            },
            leader.executor());
  }
}
