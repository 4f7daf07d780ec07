package io.raftcron.sm.applier;

import io.raftcron.sm.AppliedStoreTest;
import static io.raftcron.sm.TestCommands.cancel;
import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.expire;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.grant;
import static io.raftcron.sm.TestCommands.requeue;
import static io.raftcron.sm.TestCommands.spec;
import static io.raftcron.sm.TestCommands.stamped;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.raftcron.proto.Attempt;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.RefusedReport;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * A run's life after its fire, through the applier and a real store: completions with outcomes,
 * retries (RETRY_WAIT, the leader's next attempt time, re-queue as the next attempt), final
 * failures with every attempt kept, timeouts, cancels, and refused (stale) completions recorded.
 */
class RunLifecycleTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant SLOT = T0.plusSeconds(1);
  private static final String JOB = "tick";
  private static final String RUN_ID = RunIds.of(JOB, SLOT);


  private ItemResult applyOne(Command command) {
    CommandResult result = apply(command);
    assertThat(result.getItemsList()).hasSize(1);
    return result.getItems(0);
  }

  private Run run() {
    return run(JOB, SLOT);
  }

  /** Creates the job with {@code maxAttempts} and fires its slot T0+1s. */
  private void fireWithAttempts(int maxAttempts) {
    var spec = spec(JOB, "* * * * * *").toBuilder()
        .setRetry(RetryPolicy.newBuilder().setMaxAttempts(maxAttempts))
        .setTimeout(Duration.newBuilder().setSeconds(30))
        .build();
    assertThat(apply(create(T0, spec)).getCode()).isEqualTo(ResultCode.OK);
    assertThat(applyOne(fire(T0.plusSeconds(2), JOB, SLOT)).getCode()).isEqualTo(ResultCode.OK);
  }

  /** Grants the run to {@code worker} at {@code at}; returns the fencing token. */
  private long lease(Instant at, String worker) {
    ItemResult granted = applyOne(grant(at, RUN_ID, worker, at.plusSeconds(30)));
    assertThat(granted.getCode()).isEqualTo(ResultCode.OK);
    return granted.getRun().getFencingToken();
  }

  private static Completion.Builder completion(Instant at, long token, RunState outcome, String error) {
    return Completion.newBuilder()
        .setRunId(RUN_ID)
        .setFencingToken(token)
        .setWorker("w1")
        .setOutcome(outcome)
        .setSucceeded(outcome == RunState.SUCCEEDED)
        .setExitCode(outcome == RunState.SUCCEEDED ? 0 : 1)
        .setError(error)
        .setStartedAt(Times.toTimestamp(at.minusSeconds(1)))
        .setFinishedAt(Times.toTimestamp(at));
  }

  private static Command complete(Instant at, Completion.Builder completion) {
    return stamped(at).setCompleteRuns(CompleteRuns.newBuilder().addCompletions(completion)).build();
  }

  // ---- fire snapshot ----

  @Test
  void aFiredRunCarriesTheJobsTimeoutAndRetryPolicy() {
    fireWithAttempts(3);

    assertThat(run().getRetry().getMaxAttempts()).isEqualTo(3);
    assertThat(run().getTimeout().getSeconds()).isEqualTo(30);
  }

  // ---- retries ----

  @Test
  void aFailedAttemptWithARetryTimeWaitsThenIsRequeuedAsTheNextAttempt() {
    fireWithAttempts(3);
    long first = lease(T0.plusSeconds(3), "w1");
    Instant retryAt = T0.plusSeconds(20);

    ItemResult failed = applyOne(complete(T0.plusSeconds(5),
        completion(T0.plusSeconds(5), first, RunState.FAILED, "disk full").setRetryAt(Times.toTimestamp(retryAt))));

    Run waiting = run();
    assertThat(failed.getCode()).isEqualTo(ResultCode.OK);
    assertThat(waiting.getState()).isEqualTo(RunState.RETRY_WAIT);
    assertThat(waiting.getAttempt()).isEqualTo(1);
    assertThat(waiting.getNextAttemptAt()).isEqualTo(Times.toTimestamp(retryAt));
    assertThat(waiting.getError()).isEqualTo("disk full");
    assertThat(waiting.getAttemptsList()).extracting(Attempt::getAttempt, Attempt::getOutcome, Attempt::getError,
            Attempt::getFencingToken, Attempt::getWorker)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(1, RunState.FAILED, "disk full", first, "w1"));
    assertThat(store.retryingRuns(10)).containsExactly(waiting);
    assertThat(store.leasedRuns()).isEmpty();
    assertThat(store.queuedRuns(10)).isEmpty();

    // Not before its time: a requeue the leader stamped earlier is refused.
    assertThat(applyOne(requeue(retryAt.minusMillis(1), RUN_ID)).getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(run()).isEqualTo(waiting);

    ItemResult requeued = applyOne(requeue(retryAt, RUN_ID));

    Run queued = run();
    assertThat(requeued.getCode()).isEqualTo(ResultCode.OK);
    assertThat(queued.getState()).isEqualTo(RunState.QUEUED);
    assertThat(queued.getAttempt()).isEqualTo(2);
    assertThat(queued.hasNextAttemptAt()).isFalse();
    assertThat(store.queuedRuns(10)).containsExactly(queued);
    assertThat(store.retryingRuns(10)).isEmpty();

    long second = lease(T0.plusSeconds(21), "w2");
    applyOne(complete(T0.plusSeconds(22), completion(T0.plusSeconds(22), second, RunState.SUCCEEDED, "").setWorker("w2")));

    Run done = run();
    assertThat(done.getState()).isEqualTo(RunState.SUCCEEDED);
    assertThat(done.getAttempt()).isEqualTo(2);
    assertThat(done.getAttemptsList()).extracting(Attempt::getAttempt, Attempt::getOutcome, Attempt::getWorker)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, RunState.FAILED, "w1"),
            org.assertj.core.groups.Tuple.tuple(2, RunState.SUCCEEDED, "w2"));
  }

  @Test
  void aRequeueIsAppliedOnlyToARunStillWaitingToRetry() {
    fireWithAttempts(3);
    long token = lease(T0.plusSeconds(3), "w1");
    applyOne(complete(T0.plusSeconds(5), completion(T0.plusSeconds(5), token, RunState.FAILED, "x")
        .setRetryAt(Times.toTimestamp(T0.plusSeconds(6)))));
    applyOne(requeue(T0.plusSeconds(7), RUN_ID));
    Run queued = run();

    ItemResult again = applyOne(requeue(T0.plusSeconds(8), RUN_ID));
    ItemResult unknown = applyOne(requeue(T0.plusSeconds(8), RunIds.of(JOB, T0.plusSeconds(9))));

    assertThat(again.getCode()).isEqualTo(ResultCode.WRONG_STATE);
    assertThat(unknown.getCode()).isEqualTo(ResultCode.NOT_FOUND);
    assertThat(run()).isEqualTo(queued);
    assertThat(queued.getAttempt()).isEqualTo(2);
  }

  @Test
  void aRunThatExhaustsItsAttemptsEndsFailedWithEveryAttemptsErrorKept() {
    fireWithAttempts(2);
    long first = lease(T0.plusSeconds(3), "w1");
    applyOne(complete(T0.plusSeconds(5), completion(T0.plusSeconds(5), first, RunState.FAILED, "first error")
        .setRetryAt(Times.toTimestamp(T0.plusSeconds(10)))));
    applyOne(requeue(T0.plusSeconds(10), RUN_ID));
    long second = lease(T0.plusSeconds(11), "w2");

    // A retry time on the last attempt is not honoured: no attempt is left.
    applyOne(complete(T0.plusSeconds(12), completion(T0.plusSeconds(12), second, RunState.FAILED, "second error")
        .setWorker("w2").setRetryAt(Times.toTimestamp(T0.plusSeconds(30)))));

    Run failed = run();
    assertThat(failed.getState()).isEqualTo(RunState.FAILED);
    assertThat(failed.getError()).isEqualTo("second error");
    assertThat(failed.hasNextAttemptAt()).isFalse();
    assertThat(failed.getAttemptsList()).extracting(Attempt::getAttempt, Attempt::getError, Attempt::getOutcome)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(1, "first error", RunState.FAILED),
            org.assertj.core.groups.Tuple.tuple(2, "second error", RunState.FAILED));
    assertThat(store.retryingRuns(10)).isEmpty();
    assertThat(store.queuedRuns(10)).isEmpty();
    assertThat(store.leasedRuns()).isEmpty();
  }

  @Test
  void aFailureWithoutARetryTimeIsFinal() {
    fireWithAttempts(5);
    long token = lease(T0.plusSeconds(3), "w1");

    applyOne(complete(T0.plusSeconds(5), completion(T0.plusSeconds(5), token, RunState.FAILED, "boom")));

    assertThat(run().getState()).isEqualTo(RunState.FAILED);
    assertThat(store.retryingRuns(10)).isEmpty();
  }

  @Test
  void aTimedOutLastAttemptEndsTimedOutAndATimedOutAttemptWithAttemptsLeftRetries() {
    fireWithAttempts(2);
    long first = lease(T0.plusSeconds(3), "w1");

    applyOne(complete(T0.plusSeconds(33), completion(T0.plusSeconds(33), first, RunState.TIMED_OUT, "timed out after PT30S")
        .setRetryAt(Times.toTimestamp(T0.plusSeconds(40)))));
    assertThat(run().getState()).isEqualTo(RunState.RETRY_WAIT);

    applyOne(requeue(T0.plusSeconds(40), RUN_ID));
    long second = lease(T0.plusSeconds(41), "w1");
    applyOne(complete(T0.plusSeconds(71), completion(T0.plusSeconds(71), second, RunState.TIMED_OUT, "timed out after PT30S")));

    Run timedOut = run();
    assertThat(timedOut.getState()).isEqualTo(RunState.TIMED_OUT);
    assertThat(timedOut.getAttemptsList()).extracting(Attempt::getOutcome)
        .containsExactly(RunState.TIMED_OUT, RunState.TIMED_OUT);
  }

  @Test
  void aCompletionWithoutOutcomeFollowsSucceededAndANonFinalOutcomeIsRefused() {
    fireWithAttempts(1);
    long token = lease(T0.plusSeconds(3), "w1");

    ItemResult invalid = applyOne(complete(T0.plusSeconds(4), completion(T0.plusSeconds(4), token, RunState.QUEUED, "")));
    assertThat(invalid.getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(run().getState()).isEqualTo(RunState.LEASED);

    applyOne(complete(T0.plusSeconds(5),
        completion(T0.plusSeconds(5), token, RunState.FAILED, "legacy").clearOutcome().setSucceeded(false)));

    assertThat(run().getState()).isEqualTo(RunState.FAILED);
    assertThat(run().getAttempts(0).getOutcome()).isEqualTo(RunState.FAILED);
  }

  // ---- fencing: refused completions are recorded ----

  @Test
  void aStaleCompletionIsRefusedAndRecordedOnTheRunWithoutTouchingTheLease() {
    fireWithAttempts(1);
    long first = lease(T0.plusSeconds(3), "w1");
    applyOne(expire(T0.plusSeconds(34), RUN_ID, first));
    long second = lease(T0.plusSeconds(35), "w2");
    Run leased = run();

    ItemResult refused = applyOne(complete(T0.plusSeconds(40),
        completion(T0.plusSeconds(40), first, RunState.SUCCEEDED, "").setWorker("w1")));

    Run after = run();
    assertThat(refused.getCode()).isEqualTo(ResultCode.STALE_TOKEN);
    assertThat(after.getState()).isEqualTo(RunState.LEASED);
    assertThat(after.getFencingToken()).isEqualTo(second);
    assertThat(after.getRefusedReportsList()).extracting(RefusedReport::getWorker, RefusedReport::getFencingToken,
            RefusedReport::getAt)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("w1", first, Times.toTimestamp(T0.plusSeconds(40))));
    assertThat(after.getRefusedReports(0).getReason()).contains("stale").contains("token " + second);
    assertThat(after.toBuilder().clearRefusedReports().build()).isEqualTo(leased);
    assertThat(store.leasedRuns()).containsExactly(after);

    applyOne(complete(T0.plusSeconds(41), completion(T0.plusSeconds(41), second, RunState.SUCCEEDED, "").setWorker("w2")));
    Run done = run();
    assertThat(done.getState()).isEqualTo(RunState.SUCCEEDED);
    assertThat(done.getAttemptsList()).extracting(Attempt::getFencingToken).containsExactly(second);
    assertThat(done.getRefusedReportsList()).hasSize(1);
  }

  @Test
  void aCompletionUnderTheCurrentTokenFromAnotherWorkerIsRefused() {
    fireWithAttempts(1);
    long token = lease(T0.plusSeconds(3), "w1");

    // Tokens are log indexes: another worker can guess one.
    ItemResult refused = applyOne(complete(T0.plusSeconds(4),
        completion(T0.plusSeconds(4), token, RunState.SUCCEEDED, "").setWorker("w2")));

    assertThat(refused.getCode()).isEqualTo(ResultCode.STALE_TOKEN);
    assertThat(refused.getMessage()).contains("to worker w1, not to w2");
    assertThat(run().getState()).isEqualTo(RunState.LEASED);
    ItemResult accepted = applyOne(complete(T0.plusSeconds(5),
        completion(T0.plusSeconds(5), token, RunState.SUCCEEDED, "")));
    assertThat(accepted.getCode()).isEqualTo(ResultCode.OK);
    assertThat(run().getState()).isEqualTo(RunState.SUCCEEDED);
  }

  @Test
  void timesAWorkerDidNotReportStayUnsetAndTheRunAgesFromItsFire() {
    fireWithAttempts(1);
    long token = lease(T0.plusSeconds(3), "w1");

    applyOne(complete(T0.plusSeconds(4),
        completion(T0.plusSeconds(4), token, RunState.SUCCEEDED, "").clearStartedAt().clearFinishedAt()));

    Run done = run();
    assertThat(done.hasStartedAt() || done.hasFinishedAt()).isFalse();
    assertThat(done.getAttempts(0).hasFinishedAt()).isFalse();
    assertThat(Retention.ageOf(done)).isEqualTo(Times.toInstant(done.getFiredAt())); // not 1970
    // A finish reported before the fire (a worker's clock behind) does not make it older either.
    assertThat(Retention.ageOf(done.toBuilder().setFinishedAt(Times.toTimestamp(T0.minusSeconds(3600))).build()))
        .isEqualTo(Times.toInstant(done.getFiredAt()));
  }

  @Test
  void onlyTheNewestRefusedReportsAreKept() {
    fireWithAttempts(1);
    long token = lease(T0.plusSeconds(3), "w1");

    for (int i = 0; i < RunCommands.MAX_REFUSED_REPORTS + 3; i++) {
      applyOne(complete(T0.plusSeconds(10 + i), completion(T0.plusSeconds(10 + i), token - 1 - i, RunState.FAILED, "")));
    }

    assertThat(run().getRefusedReportsList()).hasSize(RunCommands.MAX_REFUSED_REPORTS);
    assertThat(run().getRefusedReports(0).getFencingToken()).isEqualTo(token - 4);
    assertThat(run().getRefusedReports(RunCommands.MAX_REFUSED_REPORTS - 1).getFencingToken())
        .isEqualTo(token - 3 - RunCommands.MAX_REFUSED_REPORTS);
    assertThat(run().getState()).isEqualTo(RunState.LEASED);
  }

  @Test
  void theSameCompletionReportedTwiceIsAcceptedOnceAndNotRecordedAsRefused() {
    fireWithAttempts(1);
    long token = lease(T0.plusSeconds(3), "w1");
    applyOne(complete(T0.plusSeconds(5), completion(T0.plusSeconds(5), token, RunState.SUCCEEDED, "")));
    Run done = run();

    ItemResult again = applyOne(complete(T0.plusSeconds(6), completion(T0.plusSeconds(5), token, RunState.SUCCEEDED, "")));

    assertThat(again.getCode()).isEqualTo(ResultCode.OK);
    assertThat(run()).isEqualTo(done);
  }

  // ---- cancel ----

  @Test
  void cancellingAQueuedRunEndsItAtOnce() {
    fireWithAttempts(1);

    CommandResult result = apply(cancel(T0.plusSeconds(3), RUN_ID));

    assertThat(result.getCode()).isEqualTo(ResultCode.OK);
    assertThat(result.getItems(0).getRun().getState()).isEqualTo(RunState.CANCELLED);
    assertThat(run().getState()).isEqualTo(RunState.CANCELLED);
    assertThat(run().getFinishedAt()).isEqualTo(Times.toTimestamp(T0.plusSeconds(3)));
    assertThat(store.queuedRuns(10)).isEmpty();
  }

  @Test
  void cancellingARunWaitingToRetryEndsItAndUnschedulesTheRetry() {
    fireWithAttempts(3);
    long token = lease(T0.plusSeconds(3), "w1");
    applyOne(complete(T0.plusSeconds(5), completion(T0.plusSeconds(5), token, RunState.FAILED, "x")
        .setRetryAt(Times.toTimestamp(T0.plusSeconds(60)))));

    assertThat(apply(cancel(T0.plusSeconds(6), RUN_ID)).getCode()).isEqualTo(ResultCode.OK);

    assertThat(run().getState()).isEqualTo(RunState.CANCELLED);
    assertThat(store.retryingRuns(10)).isEmpty();
    assertThat(applyOne(requeue(T0.plusSeconds(60), RUN_ID)).getCode()).isEqualTo(ResultCode.WRONG_STATE);
  }

  @Test
  void cancellingALeasedRunMarksItAndItsWorkersCancelledCompletionEndsIt() {
    fireWithAttempts(3);
    long token = lease(T0.plusSeconds(3), "w1");

    assertThat(apply(cancel(T0.plusSeconds(4), RUN_ID)).getCode()).isEqualTo(ResultCode.OK);
    Run marked = run();
    assertThat(marked.getState()).isEqualTo(RunState.LEASED);
    assertThat(marked.getCancelRequested()).isTrue();
    assertThat(store.leasedRuns()).containsExactly(marked);

    // A failure reported after the cancel request is not retried, whatever the leader stamped.
    applyOne(complete(T0.plusSeconds(5), completion(T0.plusSeconds(5), token, RunState.CANCELLED, "cancelled")
        .setRetryAt(Times.toTimestamp(T0.plusSeconds(9)))));

    assertThat(run().getState()).isEqualTo(RunState.CANCELLED);
    assertThat(store.leasedRuns()).isEmpty();
    assertThat(store.retryingRuns(10)).isEmpty();
  }

  @Test
  void aFailureOfALeasedRunWithACancelRequestIsNotRetried() {
    fireWithAttempts(3);
    long token = lease(T0.plusSeconds(3), "w1");
    apply(cancel(T0.plusSeconds(4), RUN_ID));

    applyOne(complete(T0.plusSeconds(5), completion(T0.plusSeconds(5), token, RunState.FAILED, "x")
        .setRetryAt(Times.toTimestamp(T0.plusSeconds(9)))));

    assertThat(run().getState()).isEqualTo(RunState.FAILED);
    assertThat(store.retryingRuns(10)).isEmpty();
  }

  @Test
  void anExpiredLeaseOfACancelledRunEndsCancelledInsteadOfRequeued() {
    fireWithAttempts(3);
    long token = lease(T0.plusSeconds(3), "w1");
    apply(cancel(T0.plusSeconds(4), RUN_ID));

    ItemResult expired = applyOne(expire(T0.plusSeconds(40), RUN_ID, token));

    assertThat(expired.getCode()).isEqualTo(ResultCode.OK);
    assertThat(run().getState()).isEqualTo(RunState.CANCELLED);
    assertThat(run().getAttemptsList()).extracting(Attempt::getOutcome).containsExactly(RunState.CANCELLED);
    assertThat(store.queuedRuns(10)).isEmpty();
    assertThat(store.leasedRuns()).isEmpty();
  }

  @Test
  void cancellingAFinishedOrUnknownRunIsRefused() {
    fireWithAttempts(1);
    long token = lease(T0.plusSeconds(3), "w1");
    applyOne(complete(T0.plusSeconds(5), completion(T0.plusSeconds(5), token, RunState.SUCCEEDED, "")));
    Run done = run();

    CommandResult finished = apply(cancel(T0.plusSeconds(6), RUN_ID));
    CommandResult unknown = apply(cancel(T0.plusSeconds(6), RunIds.of(JOB, T0.plusSeconds(7))));
    CommandResult garbled = apply(cancel(T0.plusSeconds(6), "nonsense"));

    assertThat(finished.getCode()).isEqualTo(ResultCode.WRONG_STATE);
    assertThat(finished.getMessage()).contains("SUCCEEDED");
    assertThat(unknown.getCode()).isEqualTo(ResultCode.NOT_FOUND);
    assertThat(garbled.getCode()).isEqualTo(ResultCode.NOT_FOUND);
    assertThat(run()).isEqualTo(done);
  }
}
