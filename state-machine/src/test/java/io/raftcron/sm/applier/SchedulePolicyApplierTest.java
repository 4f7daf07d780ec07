package io.raftcron.sm.applier;

import io.raftcron.sm.AppliedStoreTest;
import static io.raftcron.sm.TestCommands.backfill;
import static io.raftcron.sm.TestCommands.complete;
import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.decide;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.fireDecision;
import static io.raftcron.sm.TestCommands.grant;
import static io.raftcron.sm.TestCommands.pause;
import static io.raftcron.sm.TestCommands.resume;
import static io.raftcron.sm.TestCommands.skipDecision;
import static io.raftcron.sm.TestCommands.spec;
import static io.raftcron.sm.TestCommands.stamped;
import static io.raftcron.sm.TestCommands.trigger;
import static io.raftcron.sm.TestCommands.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.OverlapPolicy;
import io.raftcron.proto.PurgeRuns;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.RetentionPolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.RunState;
import io.raftcron.proto.SkippedRef;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import io.raftcron.sm.planner.FirePlanner;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The applier's side of the schedule policies: pause, resume, trigger, backfill, overlap, bounds, purge. */
class SchedulePolicyApplierTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String TENS = "tens";


  private void createTens(JobSpec spec) {
    assertThat(apply(create(T0, spec)).getCode()).isEqualTo(ResultCode.OK);
  }

  private static JobSpec withOverlap(OverlapPolicy overlap) {
    return spec(TENS, "*/10 * * * * *").toBuilder().setOverlap(overlap).build();
  }

  private ItemResult fireTens(int seconds) {
    CommandResult result = apply(fire(T0.plusSeconds(seconds), TENS, T0.plusSeconds(seconds)));
    return result.getItems(0);
  }

  // ---- pause and resume ----

  @Test
  void aPausedJobRefusesFireDecisionsAndPausingIsAVersionedIdempotentWrite() {
    createTens(spec(TENS, "*/10 * * * * *"));
    long created = job(TENS).getVersion();

    CommandResult paused = apply(pause(T0.plusSeconds(5), TENS));
    assertThat(paused.getJob().getPaused()).isTrue();
    assertThat(paused.getJob().getPausedAt()).isEqualTo(Times.toTimestamp(T0.plusSeconds(5)));
    assertThat(paused.getJob().getVersion()).isEqualTo(index).isGreaterThan(created);

    ItemResult refused = fireTens(10);
    assertThat(refused.getCode()).isEqualTo(ResultCode.WRONG_STATE);
    assertThat(refused.getMessage()).contains("paused");
    assertThat(store.runs(TENS, 10)).isEmpty();

    long version = job(TENS).getVersion();
    assertThat(apply(pause(T0.plusSeconds(11), TENS)).getJob().getVersion()).isEqualTo(version);
    assertThat(apply(pause(T0, "ghost")).getCode()).isEqualTo(ResultCode.NOT_FOUND);
  }

  @Test
  void resumeAppliesTheLeadersDecisionsForThePauseWindowWithTheReasonPaused() {
    createTens(spec(TENS, "*/10 * * * * *", MisfirePolicy.SKIP));
    apply(pause(T0.plusSeconds(1), TENS));
    Instant now = T0.plusSeconds(600);
    Job paused = job(TENS);
    List<SlotDecision> decisions = FirePlanner.planResume(paused, now, 1000).decisions();

    CommandResult result = apply(resume(now, TENS, decisions));

    assertThat(result.getCode()).isEqualTo(ResultCode.OK);
    assertThat(result.getJob().getPaused()).isFalse();
    assertThat(result.getJob().hasPausedAt()).isFalse();
    assertThat(result.getItemsList()).extracting(ItemResult::getCode).containsOnly(ResultCode.OK);
    assertThat(store.skipped(TENS, 10)).singleElement().satisfies(s -> {
      assertThat(s.getReason()).isEqualTo(FirePlanner.REASON_PAUSED);
      assertThat(s.getCount()).isEqualTo(59);
    });
    assertThat(store.runs(TENS, 10)).extracting(Run::getSlot).containsExactly(Times.toTimestamp(now));
    assertThat(job(TENS).getCursor()).isEqualTo(Times.toTimestamp(now));

    // A second resume (a retry) changes nothing.
    long version = job(TENS).getVersion();
    CommandResult again = apply(resume(now.plusSeconds(1), TENS, decisions));
    assertThat(again.getItemsCount()).isZero();
    assertThat(job(TENS).getVersion()).isEqualTo(version);
  }

  @Test
  void anUpdateKeepsThePausedState() {
    createTens(spec(TENS, "*/10 * * * * *"));
    apply(pause(T0.plusSeconds(1), TENS));

    apply(update(T0.plusSeconds(2), spec(TENS, "@every 5s"), job(TENS).getVersion()));

    assertThat(job(TENS).getPaused()).isTrue();
  }

  // ---- trigger ----

  @Test
  void aTriggerQueuesAManualRunOffTheWholeSecondsThatRunGetFinds() {
    createTens(spec(TENS, "*/10 * * * * *"));

    CommandResult result = apply(trigger(T0.plusSeconds(10), TENS, ""));

    Run run = result.getItems(0).getRun();
    assertThat(run.getOrigin()).isEqualTo(RunOrigin.MANUAL);
    assertThat(run.getState()).isEqualTo(RunState.QUEUED);
    assertThat(run.getRunId()).isEqualTo("tens@2026-03-01T10:00:10.001Z~m" + index);
    RunIds.RunRef ref = RunIds.parse(run.getRunId());
    assertThat(store.run(ref.job(), ref.slot())).contains(run);
    assertThat(store.queuedRuns(10)).contains(run);
    // The scheduled slot at the same second is still free, and fires.
    assertThat(fireTens(10).getCode()).isEqualTo(ResultCode.OK);
    assertThat(store.runs(TENS, 10)).hasSize(2);
    assertThat(job(TENS).getFiredCount()).isEqualTo(1);
  }

  @Test
  void aTriggerWithARequestIdIsIdempotent() {
    createTens(spec(TENS, "*/10 * * * * *"));

    Run first = apply(trigger(T0.plusMillis(2500), TENS, "deploy-42")).getItems(0).getRun();
    CommandResult second = apply(trigger(T0.plusSeconds(7), TENS, "deploy-42"));
    Run other = apply(trigger(T0.plusSeconds(8), TENS, "deploy-43")).getItems(0).getRun();

    assertThat(first.getRunId()).isEqualTo("tens@2026-03-01T10:00:02.500Z~m-deploy-42");
    assertThat(first.getRequestId()).isEqualTo("deploy-42");
    assertThat(second.getItems(0).getRun()).isEqualTo(first);
    assertThat(second.getMessage()).contains("already triggered");
    assertThat(other.getRunId()).isNotEqualTo(first.getRunId());
    assertThat(store.runs(TENS, 10)).hasSize(2);
  }

  @Test
  void triggersInTheSameMillisecondGetDistinctRunsAndABadRequestIdIsRefused() {
    createTens(spec(TENS, "*/10 * * * * *"));
    Instant at = T0.plusMillis(1234);

    Run a = apply(trigger(at, TENS, "")).getItems(0).getRun();
    Run b = apply(trigger(at, TENS, "")).getItems(0).getRun();

    assertThat(a.getSlot()).isNotEqualTo(b.getSlot());
    assertThat(store.runs(TENS, 10)).hasSize(2);
    assertThat(apply(trigger(at, TENS, "no spaces")).getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(apply(trigger(at, "ghost", "")).getCode()).isEqualTo(ResultCode.NOT_FOUND);
  }

  // ---- backfill ----

  @Test
  void aBackfillFiresSkippedSlotsAndNeverASlotThatAlreadyHasARun() {
    createTens(spec(TENS, "*/10 * * * * *"));
    apply(fire(T0.plusSeconds(10), TENS, T0.plusSeconds(10)));
    apply(decide(T0.plusSeconds(45), skipDecision(TENS, T0.plusSeconds(40), 3, "missed")));

    CommandResult result =
        apply(backfill(T0.plusSeconds(60), TENS, T0.plusSeconds(10), T0.plusSeconds(20), T0.plusSeconds(30),
            T0.plusSeconds(50), T0.plusSeconds(35)));

    assertThat(result.getItemsList()).extracting(ItemResult::getCode).containsExactly(
        ResultCode.DUPLICATE_SLOT, ResultCode.OK, ResultCode.OK, ResultCode.INVALID, ResultCode.INVALID);
    assertThat(result.getItems(3).getMessage()).contains("not decided yet");
    assertThat(result.getItems(1).getRun().getOrigin()).isEqualTo(RunOrigin.BACKFILL);
    assertThat(result.getItems(1).getRun().getRunId()).isEqualTo(RunIds.of(TENS, T0.plusSeconds(20)));
    assertThat(job(TENS).getCursor()).isEqualTo(Times.toTimestamp(T0.plusSeconds(40)));

    CommandResult again = apply(backfill(T0.plusSeconds(61), TENS, T0.plusSeconds(20)));
    assertThat(again.getItems(0).getCode()).isEqualTo(ResultCode.DUPLICATE_SLOT);
  }

  @Test
  void aBackfillMayFireSlotsFromBeforeTheJobExistedButNotOutsideItsBounds() {
    createTens(spec(TENS, "*/10 * * * * *").toBuilder()
        .setStartAt(Times.toTimestamp(T0.minusSeconds(25)))
        .build());

    CommandResult result = apply(backfill(T0.plusSeconds(1), TENS, T0.minusSeconds(20), T0.minusSeconds(30)));

    assertThat(result.getItemsList()).extracting(ItemResult::getCode)
        .containsExactly(ResultCode.OK, ResultCode.INVALID);
    assertThat(result.getItems(1).getMessage()).contains("start bound");
  }

  // ---- overlap ----

  @Test
  void forbidRecordsASkippedRunWhileARunIsActiveAndFiresOnceItFinished() {
    createTens(withOverlap(OverlapPolicy.FORBID));
    Run first = fireTens(10).getRun();

    ItemResult second = fireTens(20);

    assertThat(second.getCode()).isEqualTo(ResultCode.OK);
    assertThat(second.getRun().getState()).isEqualTo(RunState.SKIPPED);
    assertThat(second.getRun().getSkipReason()).contains("forbid").contains(first.getRunId());
    assertThat(store.queuedRuns(10)).containsExactly(first);
    assertThat(job(TENS).getCursor()).isEqualTo(Times.toTimestamp(T0.plusSeconds(20)));
    assertThat(job(TENS).getSkippedCount()).isEqualTo(1);

    apply(grant(T0.plusSeconds(21), first.getRunId(), "w1", T0.plusSeconds(60)));
    long token = index;
    assertThat(fireTens(30).getRun().getState()).isEqualTo(RunState.SKIPPED); // LEASED is active
    apply(complete(T0.plusSeconds(35), first.getRunId(), token, true, 0, ""));

    assertThat(fireTens(40).getRun().getState()).isEqualTo(RunState.QUEUED);
  }

  @Test
  void forbidSeesARunStillActiveBehindManySkippedOnes() {
    createTens(withOverlap(OverlapPolicy.FORBID));
    fireTens(10);
    for (int s = 20; s <= 2000; s += 10) {
      assertThat(fireTens(s).getRun().getState()).isEqualTo(RunState.SKIPPED);
    }
  }

  @Test
  void aManualRunCountsAsActiveForForbid() {
    createTens(withOverlap(OverlapPolicy.FORBID));
    apply(trigger(T0.plusSeconds(1), TENS, ""));

    assertThat(fireTens(10).getRun().getState()).isEqualTo(RunState.SKIPPED);
  }

  @Test
  void bufferOneKeepsOneRunWaitingBesidesTheActiveOneAndSkipsBeyond() {
    createTens(withOverlap(OverlapPolicy.BUFFER_ONE));

    assertThat(fireTens(10).getRun().getState()).isEqualTo(RunState.QUEUED);
    assertThat(fireTens(20).getRun().getState()).isEqualTo(RunState.QUEUED);
    ItemResult third = fireTens(30);

    assertThat(third.getRun().getState()).isEqualTo(RunState.SKIPPED);
    assertThat(third.getRun().getSkipReason()).contains("buffer-one");
  }

  @Test
  void replaceCancelsTheActiveRunsAndQueuesTheNewOne() {
    createTens(withOverlap(OverlapPolicy.REPLACE));
    Run queued = fireTens(10).getRun();
    Run leased = fireTens(20).getRun();
    apply(grant(T0.plusSeconds(21), leased.getRunId(), "w1", T0.plusSeconds(60)));

    Run fresh = fireTens(30).getRun();

    assertThat(fresh.getState()).isEqualTo(RunState.QUEUED);
    assertThat(store.run(TENS, T0.plusSeconds(10)).orElseThrow().getState()).isEqualTo(RunState.CANCELLED);
    Run stillLeased = store.run(TENS, T0.plusSeconds(20)).orElseThrow();
    assertThat(stillLeased.getState()).isEqualTo(RunState.LEASED);
    assertThat(stillLeased.getCancelRequested()).isTrue();
    assertThat(store.queuedRuns(10)).extracting(Run::getRunId).containsExactly(fresh.getRunId());
    assertThat(queued.getRunId()).isNotEqualTo(fresh.getRunId());
  }

  @Test
  void allowFiresWhateverIsActive() {
    createTens(withOverlap(OverlapPolicy.ALLOW));
    for (int s = 10; s <= 50; s += 10) {
      assertThat(fireTens(s).getRun().getState()).isEqualTo(RunState.QUEUED);
    }
  }

  @Test
  void severalSlotsOfAForbidJobInOneCommandSeeEachOther() {
    createTens(withOverlap(OverlapPolicy.FORBID));

    CommandResult result =
        apply(decide(T0.plusSeconds(30), fireDecision(TENS, T0.plusSeconds(10)), fireDecision(TENS, T0.plusSeconds(20))));

    assertThat(result.getItemsList()).extracting(i -> i.getRun().getState())
        .containsExactly(RunState.QUEUED, RunState.SKIPPED);
  }

  // ---- bounds, @at ----

  @Test
  void aFireOutsideTheBoundsIsRefusedAndAStartBoundPutsTheCursorBeforeIt() {
    createTens(spec(TENS, "*/10 * * * * *").toBuilder()
        .setStartAt(Times.toTimestamp(T0.plusSeconds(30)))
        .setEndAt(Times.toTimestamp(T0.plusSeconds(50)))
        .build());
    assertThat(Times.toInstant(job(TENS).getCursor())).isEqualTo(T0.plusSeconds(30).minusNanos(1));

    assertThat(fireTens(20).getCode()).isEqualTo(ResultCode.DUPLICATE_SLOT);
    assertThat(fireTens(30).getCode()).isEqualTo(ResultCode.OK);
    assertThat(apply(decide(T0.plusSeconds(60), skipDecision(TENS, T0.plusSeconds(50), 2, "x"))).getItems(0).getCode())
        .isEqualTo(ResultCode.OK);
    ItemResult after = fireTens(60);
    assertThat(after.getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(after.getMessage()).contains("end bound");
  }

  @Test
  void anAtScheduleInThePastIsRefusedAtCreation() {
    CommandResult result = apply(create(T0, spec("once", "@at 2026-03-01T09:00:00Z")));

    assertThat(result.getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(result.getMessage()).contains("not in the future");
    assertThat(apply(create(T0, spec("once", "@at 2026-03-01T11:00:00Z"))).getCode()).isEqualTo(ResultCode.OK);
  }

  // ---- retention ----

  private JobSpec withRetention(int keepLast, long keepForSeconds) {
    return spec(TENS, "*/10 * * * * *").toBuilder()
        .setRetention(RetentionPolicy.newBuilder()
            .setKeepLast(keepLast)
            .setKeepFor(Duration.newBuilder().setSeconds(keepForSeconds)))
        .build();
  }

  /** Fires slots 10..n*10 s and completes each, finishing at its slot + 1 s. */
  private void fireAndFinish(int n) {
    for (int i = 1; i <= n; i++) {
      Run run = fireTens(i * 10).getRun();
      apply(grant(T0.plusSeconds(i * 10L), run.getRunId(), "w1", T0.plusSeconds(i * 10L + 30)));
      apply(complete(T0.plusSeconds(i * 10L + 1), run.getRunId(), index, true, 0, ""));
    }
  }

  @Test
  void aPurgeDeletesOnlyFinishedRunsBeyondBothKeepLastAndKeepFor() {
    createTens(withRetention(2, 100));
    fireAndFinish(5); // slots 10..50, finished 11..51
    Run active = fireTens(60).getRun();
    List<String> ids = store.runs(TENS, 10).stream().map(Run::getRunId).toList();

    // At 140: runs finished before 40 are old enough (10, 20, 30); the newest two (50, 60) stay.
    CommandResult result =
        apply(stamped(T0.plusSeconds(140)).setPurgeRuns(PurgeRuns.newBuilder().addAllRunIds(ids)).build());

    assertThat(store.runs(TENS, 10)).extracting(r -> Times.toInstant(r.getSlot()).getEpochSecond() - T0.getEpochSecond())
        .containsExactly(60L, 50L, 40L);
    assertThat(result.getItemsList()).filteredOn(i -> i.getCode() == ResultCode.OK).hasSize(3);
    assertThat(store.run(TENS, T0.plusSeconds(60))).contains(active);
  }

  @Test
  void aPurgeNeverDeletesAnActiveRunWhateverItsAge() {
    createTens(withRetention(1, 1));
    Run old = fireTens(10).getRun();
    fireAndFinish(0);
    fireTens(20);

    CommandResult result = apply(stamped(T0.plus(java.time.Duration.ofDays(30)))
        .setPurgeRuns(PurgeRuns.newBuilder().addRunIds(old.getRunId())).build());

    assertThat(result.getItems(0).getCode()).isEqualTo(ResultCode.WRONG_STATE);
    assertThat(store.run(TENS, T0.plusSeconds(10))).isPresent();
  }

  @Test
  void aPurgeOfAManualRunAlsoForgetsItsRequestId() {
    createTens(withRetention(1, 1));
    Run manual = apply(trigger(T0.plusSeconds(1), TENS, "r1")).getItems(0).getRun();
    apply(grant(T0.plusSeconds(2), manual.getRunId(), "w1", T0.plusSeconds(60)));
    apply(complete(T0.plusSeconds(3), manual.getRunId(), index, true, 0, ""));
    fireAndFinish(1);

    apply(stamped(T0.plusSeconds(100)).setPurgeRuns(PurgeRuns.newBuilder().addRunIds(manual.getRunId())).build());

    Run again = apply(trigger(T0.plusSeconds(101), TENS, "r1")).getItems(0).getRun();
    assertThat(again.getRunId()).isNotEqualTo(manual.getRunId());
  }

  @Test
  void aPurgeDeletesOldSkippedRangesBeyondKeepLast() {
    createTens(withRetention(1, 10));
    apply(decide(T0.plusSeconds(20), skipDecision(TENS, T0.plusSeconds(20), 2, "a")));
    apply(decide(T0.plusSeconds(40), skipDecision(TENS, T0.plusSeconds(40), 2, "b")));

    CommandResult result = apply(stamped(T0.plusSeconds(100)).setPurgeRuns(PurgeRuns.newBuilder()
            .addSkipped(SkippedRef.newBuilder().setJob(TENS).setThrough(Times.toTimestamp(T0.plusSeconds(20))))
            .addSkipped(SkippedRef.newBuilder().setJob(TENS).setThrough(Times.toTimestamp(T0.plusSeconds(40)))))
        .build());

    assertThat(result.getItemsList()).extracting(ItemResult::getCode)
        .containsExactly(ResultCode.OK, ResultCode.WRONG_STATE);
    assertThat(store.skipped(TENS, 10)).extracting(s -> s.getReason()).containsExactly("b");
  }

  @Test
  void aBackfillDoesNotFireASlotWhoseRunWasPurged() {
    createTens(withRetention(1, 1));
    fireAndFinish(3); // slots 10, 20, 30

    CommandResult purged = apply(stamped(T0.plusSeconds(100)).setPurgeRuns(PurgeRuns.newBuilder()
        .addRunIds(RunIds.of(TENS, T0.plusSeconds(10))).addRunIds(RunIds.of(TENS, T0.plusSeconds(20)))).build());
    assertThat(purged.getItemsList()).extracting(ItemResult::getCode).containsOnly(ResultCode.OK);
    assertThat(job(TENS).getPurgedThrough()).isEqualTo(Times.toTimestamp(T0.plusSeconds(20)));

    // 10 and 20 ran (their records are gone), 0 is before the job: all refused as possibly decided.
    CommandResult backfilled = apply(backfill(T0.plusSeconds(101), TENS, T0, T0.plusSeconds(10), T0.plusSeconds(20)));

    assertThat(backfilled.getItemsList()).extracting(ItemResult::getCode).containsOnly(ResultCode.DUPLICATE_SLOT);
    assertThat(backfilled.getItems(1).getMessage()).contains("purged history");
    assertThat(store.run(TENS, T0.plusSeconds(10))).isEmpty();
    assertThat(store.run(TENS, T0.plusSeconds(20))).isEmpty();
  }

  @Test
  void aBackfillSlotBefore1970IsRefused() {
    createTens(spec(TENS, "*/10 * * * * *"));

    CommandResult result = apply(backfill(T0.plusSeconds(1), TENS, Instant.EPOCH.minusSeconds(10)));

    assertThat(result.getItems(0).getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(result.getItems(0).getMessage()).contains("out of range");
    assertThat(store.runs(TENS, 10)).isEmpty();
  }
}
