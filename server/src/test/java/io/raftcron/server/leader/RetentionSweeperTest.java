package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import io.raftcron.proto.Command;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.DeleteJob;
import io.raftcron.proto.Executor;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.PurgeRuns;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.RetentionPolicy;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SkippedRef;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import ch.qos.logback.classic.Level;
import io.raftcron.raft.LeadershipLostException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** What the leader's retention sweep proposes, and that the applier accepts exactly that. */
class RetentionSweeperTest extends LeaderLoopTest {
  private io.raftcron.proto.CommandResult apply(Instant at, Command.Builder command) {
    now = at;
    return apply(command);
  }

  private void create(String name, int keepLast, long keepForSeconds) {
    JobSpec spec = JobSpec.newBuilder()
        .setName(name)
        .setSchedule("*/10 * * * * *")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
        .setRetention(RetentionPolicy.newBuilder().setKeepLast(keepLast)
            .setKeepFor(Duration.newBuilder().setSeconds(keepForSeconds)))
        .build();
    apply(T0, Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec).setCreate(true)));
  }

  /** Fires slot T0+s and, if {@code finish}, completes it at T0+s+1. */
  private void run(String job, int s, boolean finish) {
    Instant slot = T0.plusSeconds(s);
    apply(slot, Command.newBuilder().setFireSlots(FireSlots.newBuilder().addDecisions(
        SlotDecision.newBuilder().setJob(job).setSlot(Times.toTimestamp(slot)).setFire(true))));
    if (finish) {
      String id = RunIds.of(job, slot);
      apply(slot, Command.newBuilder().setGrantLeases(GrantLeases.newBuilder().addGrants(
          LeaseGrant.newBuilder().setRunId(id).setWorker("w").setDeadline(Times.toTimestamp(slot.plusSeconds(60))))));
      long token = lastIndex();
      apply(slot.plusSeconds(1), Command.newBuilder().setCompleteRuns(CompleteRuns.newBuilder().addCompletions(
          Completion.newBuilder().setRunId(id).setFencingToken(token).setWorker("w").setSucceeded(true)
              .setFinishedAt(Times.toTimestamp(slot.plusSeconds(1))))));
    }
  }

  @Test
  void proposesFinishedRunsBeyondThePolicyOldestFirstAndTheApplierAcceptsThemAll() {
    create("a", 2, 100);
    run("a", 10, true);
    run("a", 20, false); // still QUEUED: never purged
    run("a", 30, true);
    run("a", 40, true);
    run("a", 50, true);
    apply(T0.plusSeconds(60), Command.newBuilder().setFireSlots(FireSlots.newBuilder().addDecisions(
        SlotDecision.newBuilder().setJob("a").setSlot(Times.toTimestamp(T0.plusSeconds(60)))
            .setSkippedCount(1).setSkipReason("x"))));

    PurgeRuns purge = RetentionSweeper.candidates(store, T0.plusSeconds(200), 1000);

    assertThat(purge.getRunIdsList()).containsExactly(
        RunIds.of("a", T0.plusSeconds(10)), RunIds.of("a", T0.plusSeconds(30)));
    assertThat(purge.getSkippedList()).isEmpty(); // one range: within keep_last
    var result = apply(T0.plusSeconds(200), Command.newBuilder().setPurgeRuns(purge));
    assertThat(result.getItemsList()).allMatch(i -> i.getCode() == ResultCode.OK);
    assertThat(RetentionSweeper.candidates(store, T0.plusSeconds(200), 1000).getRunIdsList()).isEmpty();
  }

  @Test
  void runsOfADeletedJobFollowTheDefaultPolicyAndTheBatchIsBounded() {
    create("b", 1, 1);
    for (int s = 10; s <= 60; s += 10) {
      run("b", s, true);
    }
    apply(T0.plusSeconds(70), Command.newBuilder().setDeleteJob(DeleteJob.newBuilder().setName("b")));

    // Default: keep 1000 runs for 7 days, so nothing goes.
    assertThat(RetentionSweeper.candidates(store, T0.plusSeconds(1000), 1000).getRunIdsCount()).isZero();

    create("c", 1, 1);
    for (int s = 10; s <= 60; s += 10) {
      run("c", s, true);
    }
    assertThat(RetentionSweeper.candidates(store, T0.plusSeconds(1000), 3).getRunIdsCount()).isEqualTo(3);
    assertThat(RetentionSweeper.candidates(store, T0.plusSeconds(1000), 1000).getRunIdsCount()).isEqualTo(5);
  }

  @Test
  void proposesOldSkippedRangesBeyondKeepLast() {
    create("d", 1, 10);
    for (int s = 10; s <= 30; s += 10) {
      apply(T0.plusSeconds(s), Command.newBuilder().setFireSlots(FireSlots.newBuilder().addDecisions(
          SlotDecision.newBuilder().setJob("d").setSlot(Times.toTimestamp(T0.plusSeconds(s)))
              .setSkippedCount(1).setSkipReason("x"))));
    }

    PurgeRuns purge = RetentionSweeper.candidates(store, T0.plusSeconds(100), 1000);

    assertThat(purge.getSkippedList()).extracting(SkippedRef::getThrough)
        .containsExactly(Times.toTimestamp(T0.plusSeconds(10)), Times.toTimestamp(T0.plusSeconds(20)));
  }

  @Test
  void aPassTakenOneJobAtATimeFindsWhatOneWholePassFindsAndAFullPassResumesAtTheJobItFilledUpIn() {
    for (String job : new String[] {"e", "f", "g"}) {
      create(job, 1, 1);
      for (int s = 10; s <= 40; s += 10) {
        run(job, s, true);
      }
    }
    create("h", 1, 100_000); // old runs, but not old enough: the pass reads one key of it
    run("h", 10, true);
    run("h", 20, true);
    Instant now = T0.plusSeconds(1000);
    PurgeRuns whole = RetentionSweeper.candidates(store, now, 1000);

    RetentionSweeper.Pass stepped = new RetentionSweeper.Pass(now, 1000, "");
    int steps = 0;
    while (!stepped.advance(store, () -> true)) {
      steps++;
    }
    assertThat(steps).isEqualTo(4); // e, f, g, h; the last step finds no job left
    assertThat(stepped.purge()).isEqualTo(whole);
    assertThat(whole.getRunIdsCount()).isEqualTo(9);

    // Four candidates fill up in f (three in e, the first in f): the next pass goes on after e.
    RetentionSweeper.Pass first = new RetentionSweeper.Pass(now, 4, "");
    assertThat(first.advance(store, () -> false)).isTrue();
    assertThat(first.full()).isTrue();
    assertThat(first.resumeAfter()).isEqualTo("e");
    RetentionSweeper.Pass next = new RetentionSweeper.Pass(now, 1000, first.resumeAfter());
    next.advance(store, () -> false);
    assertThat(next.purge().getRunIdsList())
        .containsExactlyElementsOf(whole.getRunIdsList().subList(3, 9));
  }

  @Test
  void whileEachEntryIsFullTheSweepGoesOnAtOnceUntilNothingIsLeft() {
    for (String job : new String[] {"p", "q"}) {
      create(job, 1, 1);
      for (int s = 10; s <= 40; s += 10) {
        run(job, s, true); // three of each job's four runs are beyond the policy
      }
    }
    now = T0.plusSeconds(1000);
    List<PurgeRuns> proposed = new CopyOnWriteArrayList<>();
    RetentionSweeper sweeper = new RetentionSweeper(
        term(c -> proposed.add(c.getPurgeRuns())), java.time.Duration.ZERO, 2);
    executor.execute(sweeper::start);
    try {
      // Entries of two: p's first two runs fill the first one, so the next pass starts at p again.
      // The next round would come a minute later: all six purged sooner shows the backlog followed.
      await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
          proposed.stream().mapToInt(PurgeRuns::getRunIdsCount).sum()).isEqualTo(6));
      assertThat(proposed).extracting(PurgeRuns::getRunIdsCount).containsExactly(2, 2, 2);
      assertThat(RetentionSweeper.candidates(store, now, 1000).getRunIdsCount()).isZero();
    } finally {
      executor.execute(sweeper::close);
    }
  }

  @Test
  void aPurgeInFlightAtAStepDownIsLoggedAtInfoNotWarn() {
    create("s", 1, 1);
    for (int t = 10; t <= 30; t += 10) {
      run("s", t, true);
    }
    now = T0.plusSeconds(1000);
    RetentionSweeper sweeper = new RetentionSweeper(
        term((term, command) -> CompletableFuture.failedFuture(new LeadershipLostException("Leader stepped down"))),
        java.time.Duration.ZERO, 1000);
    try (LoggedEvents events = new LoggedEvents(RetentionSweeper.class)) {
      executor.execute(sweeper::start);
      await().atMost(java.time.Duration.ofSeconds(10)).until(() -> !events.levels().isEmpty());
      assertThat(events.levels()).containsExactly(Level.INFO);
    } finally {
      executor.execute(sweeper::close);
    }
  }
}
