package io.raftcron.sm.applier;

import static io.raftcron.sm.TestCommands.backfill;
import static io.raftcron.sm.TestCommands.complete;
import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.delete;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.fireDecision;
import static io.raftcron.sm.TestCommands.grant;
import static io.raftcron.sm.TestCommands.requeue;
import static io.raftcron.sm.TestCommands.spec;
import static io.raftcron.sm.TestCommands.stamped;
import static io.raftcron.sm.TestCommands.trigger;
import static io.raftcron.sm.TestCommands.update;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.OverlapPolicy;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.AppliedStoreTest;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.StoreBatch;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Which runs count as active for the overlap policy when a job's policy changes, and what the index costs allow jobs. */
class ActiveRunsTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String TENS = "tens";

  private static JobSpec tens(OverlapPolicy overlap) {
    return spec(TENS, "*/10 * * * * *").toBuilder()
        .setOverlap(overlap)
        .setRetry(RetryPolicy.newBuilder().setMaxAttempts(2))
        .build();
  }

  private Run fireTens(int seconds) {
    return apply(fire(T0.plusSeconds(seconds), TENS, T0.plusSeconds(seconds))).getItems(0).getRun();
  }

  private long lease(int seconds, Run run) {
    assertThat(apply(grant(T0.plusSeconds(seconds), run.getRunId(), "w1", T0.plusSeconds(seconds + 600))).getCode())
        .isEqualTo(ResultCode.OK);
    return index;
  }

  private void switchTensTo(OverlapPolicy overlap) {
    assertThat(apply(update(T0.plusSeconds(41), tens(overlap), job(TENS).getVersion())).getCode())
        .isEqualTo(ResultCode.OK);
  }

  /** An allow job with a QUEUED, a LEASED, a RETRY_WAIT and a SUCCEEDED run, in slot order. */
  private record Runs(Run queued, Run leased, long leaseToken, Run retrying, Run succeeded) {}

  private Runs allowJobWithActiveRuns() {
    assertThat(apply(create(T0, tens(OverlapPolicy.ALLOW))).getCode()).isEqualTo(ResultCode.OK);
    Run queued = fireTens(10);
    Run leased = fireTens(20);
    long leaseToken = lease(21, leased);
    Run retrying = fireTens(30);
    long token = lease(31, retrying);
    Completion.Builder failed = Completion.newBuilder().setRunId(retrying.getRunId()).setFencingToken(token)
        .setWorker("w1").setOutcome(RunState.FAILED).setRetryAt(Times.toTimestamp(T0.plusSeconds(45)));
    assertThat(apply(stamped(T0.plusSeconds(32)).setCompleteRuns(CompleteRuns.newBuilder().addCompletions(failed))
        .build()).getItems(0).getRun().getState()).isEqualTo(RunState.RETRY_WAIT);
    Run succeeded = fireTens(40);
    apply(complete(T0.plusSeconds(40), succeeded.getRunId(), lease(40, succeeded), true, 0, ""));
    return new Runs(queued, leased, leaseToken, retrying, succeeded);
  }

  @Test
  void anAllowJobsRunsAreNotMarkedActive() {
    assertThat(apply(create(T0, tens(OverlapPolicy.ALLOW))).getCode()).isEqualTo(ResultCode.OK);

    fireTens(10);
    fireTens(20);
    apply(trigger(T0.plusSeconds(21), TENS, ""));
    apply(backfill(T0.plusSeconds(22), TENS, T0));

    assertThat(store.batch().markedActive(TENS, 10)).isEmpty();
    assertThat(store.queuedRuns(10)).hasSize(4);
  }

  @Test
  void anAllowJobSwitchedToForbidSkipsItsSlotsUntilItsQueuedLeasedAndRetryingRunsHaveAllFinished() {
    Runs runs = allowJobWithActiveRuns();
    switchTensTo(OverlapPolicy.FORBID);

    // Each skip names the active run of the latest slot: each kind in turn.
    assertSkippedFor(fireTens(50), runs.retrying(), RunState.RETRY_WAIT);
    apply(requeue(T0.plusSeconds(51), runs.retrying().getRunId()));
    apply(complete(T0.plusSeconds(52), runs.retrying().getRunId(), lease(51, runs.retrying()), true, 0, ""));
    assertSkippedFor(fireTens(60), runs.leased(), RunState.LEASED);
    apply(complete(T0.plusSeconds(61), runs.leased().getRunId(), runs.leaseToken(), true, 0, ""));
    assertSkippedFor(fireTens(70), runs.queued(), RunState.QUEUED);
    apply(complete(T0.plusSeconds(72), runs.queued().getRunId(), lease(71, runs.queued()), true, 0, ""));

    assertThat(fireTens(80).getState()).isEqualTo(RunState.QUEUED);
  }

  private static void assertSkippedFor(Run skipped, Run active, RunState state) {
    assertThat(skipped.getState()).isEqualTo(RunState.SKIPPED);
    assertThat(skipped.getSkipReason()).endsWith("run " + active.getRunId() + " is still " + state);
  }

  @Test
  void anAllowJobSwitchedToReplaceCancelsExactlyItsActiveRunsAtItsNextFire() {
    Runs runs = allowJobWithActiveRuns();
    // Another job whose name starts with this one's: its queued run is not this job's.
    assertThat(apply(create(T0, spec("tens2", "*/10 * * * * *"))).getCode()).isEqualTo(ResultCode.OK);
    Run othersRun = apply(fire(T0.plusSeconds(40), "tens2", T0.plusSeconds(40))).getItems(0).getRun();
    switchTensTo(OverlapPolicy.REPLACE);

    Run fresh = fireTens(50);

    assertThat(fresh.getState()).isEqualTo(RunState.QUEUED);
    assertThat(stateOf(runs.queued())).isEqualTo(RunState.CANCELLED);
    assertThat(stateOf(runs.retrying())).isEqualTo(RunState.CANCELLED);
    Run leased = store.run(runs.leased().getRunId()).orElseThrow();
    assertThat(leased.getState()).isEqualTo(RunState.LEASED);
    assertThat(leased.getCancelRequested()).isTrue();
    assertThat(stateOf(runs.succeeded())).isEqualTo(RunState.SUCCEEDED);
    assertThat(store.run(othersRun.getRunId()).orElseThrow()).isEqualTo(othersRun);
    assertThat(store.retryingRuns(10)).isEmpty();
    assertThat(store.queuedRuns(10)).extracting(Run::getRunId).containsExactly(othersRun.getRunId(), fresh.getRunId());
  }

  private RunState stateOf(Run run) {
    return store.run(run.getRunId()).orElseThrow().getState();
  }

  @Test
  void aForbidJobCreatedUnderTheNameOfADeletedJobWhoseRunIsStillQueuedTreatsItAsActive() {
    assertThat(apply(create(T0, tens(OverlapPolicy.ALLOW))).getCode()).isEqualTo(ResultCode.OK);
    Run inherited = fireTens(10);
    apply(delete(T0.plusSeconds(11), TENS, 0));
    assertThat(apply(create(T0.plusSeconds(12), tens(OverlapPolicy.FORBID))).getCode()).isEqualTo(ResultCode.OK);

    Run skipped = fireTens(20);

    assertThat(skipped.getState()).isEqualTo(RunState.SKIPPED);
    assertThat(skipped.getSkipReason()).contains(inherited.getRunId());
  }

  // ---- more finished runs than an overlap check reads ----

  private static final String TICK = "tick";
  private static final int FINISHED = ActiveRuns.MAX_ACTIVE_SCAN + 1;

  /** An allow job with more finished runs than an overlap check reads, then one queued run; returns that run. */
  private Run allowJobWithManyFinishedRunsAndOneQueued() {
    JobSpec tick = spec(TICK, "* * * * * *");
    assertThat(apply(create(T0, tick)).getCode()).isEqualTo(ResultCode.OK);
    FireSlots.Builder fire = FireSlots.newBuilder();
    GrantLeases.Builder grants = GrantLeases.newBuilder();
    for (int s = 1; s <= FINISHED; s++) {
      fire.addDecisions(fireDecision(TICK, T0.plusSeconds(s)));
      grants.addGrants(LeaseGrant.newBuilder().setRunId(RunIds.of(TICK, T0.plusSeconds(s))).setWorker("w1")
          .setDeadline(Times.toTimestamp(T0.plusSeconds(FINISHED + 600))));
    }
    Instant now = T0.plusSeconds(FINISHED);
    apply(stamped(now).setFireSlots(fire).build());
    apply(stamped(now).setGrantLeases(grants).build());
    CompleteRuns.Builder completions = CompleteRuns.newBuilder();
    for (LeaseGrant g : grants.getGrantsList()) {
      completions.addCompletions(
          Completion.newBuilder().setRunId(g.getRunId()).setFencingToken(index).setWorker("w1").setSucceeded(true));
    }
    apply(stamped(now).setCompleteRuns(completions).build());
    assertThat(store.leasedRuns()).isEmpty();
    return apply(fire(now.plusSeconds(1), TICK, now.plusSeconds(1))).getItems(0).getRun();
  }

  private Run fireTickAfterSwitchingToForbid() {
    JobSpec forbid = spec(TICK, "* * * * * *").toBuilder().setOverlap(OverlapPolicy.FORBID).build();
    Instant now = T0.plusSeconds(FINISHED + 2);
    assertThat(apply(update(now, forbid, job(TICK).getVersion())).getCode()).isEqualTo(ResultCode.OK);
    return apply(fire(now, TICK, now)).getItems(0).getRun();
  }

  @Test
  void anAllowJobWithMoreFinishedRunsThanAnOverlapCheckReadsFindsItsActiveRunWhenSwitchedToForbid() {
    Run queued = allowJobWithManyFinishedRunsAndOneQueued();

    Run next = fireTickAfterSwitchingToForbid();

    assertThat(next.getState()).isEqualTo(RunState.SKIPPED);
    assertThat(next.getSkipReason()).contains(queued.getRunId());
  }

  @Test
  void theEntriesAnEarlierBuildMarkedForEveryRunCannotHideTheActiveOneAfterTheSwitch() {
    Run queued = allowJobWithManyFinishedRunsAndOneQueued();
    StoreBatch earlierBuild = store.batch();
    store.oldestRuns(TICK, Integer.MAX_VALUE).forEach(earlierBuild::markActive);
    store.commit(earlierBuild, ++index);

    Run next = fireTickAfterSwitchingToForbid();

    assertThat(next.getState()).isEqualTo(RunState.SKIPPED);
    assertThat(next.getSkipReason()).contains(queued.getRunId());
  }
}
