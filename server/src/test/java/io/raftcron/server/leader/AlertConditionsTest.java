package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.AlertState;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.Executor;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.RaiseAlerts;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import io.raftcron.sm.applier.Applier;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert conditions over a real store built by the real applier, at chosen leader times:
 * stuck runs (far beyond the usual duration), missed slots until a later slot fires, and queued
 * runs with no worker heard from.
 */
class AlertConditionsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final Duration WORKERS_HEARD = Duration.ZERO;
  private static final AlertRules RULES =
      AlertRules.DEFAULT.withStuckMinimum(Duration.ofSeconds(10)).withNoWorkersAfter(Duration.ofSeconds(60));
  private static final String JOB = "tick";

  @TempDir Path dir;
  private SchedulerStore store;
  private Applier applier;
  private long index;
  private Instant now = T0;
  private AlertConditions conditions;

  @BeforeEach
  void open() {
    store = SchedulerStore.open(dir.resolve("db"));
    applier = new Applier(store);
    conditions = new AlertConditions(store, RULES, LEASE);
    putJob(JOB);
  }

  private void putJob(String name) {
    JobSpec spec = JobSpec.newBuilder()
        .setName(name)
        .setSchedule("* * * * * *")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
        .build();
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec).setCreate(true)));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private CommandResult apply(Command.Builder command) {
    CommandResult result =
        applier.apply(++index, command.setLeaderTime(Times.toTimestamp(now)).setLeaderNode("n1").setTerm(1).build());
    assertThat(result.getCode()).isEqualTo(ResultCode.OK);
    result.getItemsList().forEach(i -> assertThat(i.getCode()).as(i.getMessage()).isEqualTo(ResultCode.OK));
    return result;
  }

  private void decide(SlotDecision.Builder decision) {
    apply(Command.newBuilder().setFireSlots(FireSlots.newBuilder().addDecisions(decision.setJob(JOB))));
  }

  /** Fires {@code slot} at slot + 1 s and leases it to w1; returns the run id. */
  private String fireAndLease(Instant slot) {
    now = slot.plusSeconds(1);
    decide(SlotDecision.newBuilder().setSlot(Times.toTimestamp(slot)).setFire(true));
    String runId = RunIds.of(JOB, slot);
    apply(Command.newBuilder().setGrantLeases(GrantLeases.newBuilder()
        .addGrants(LeaseGrant.newBuilder().setRunId(runId).setWorker("w1").setDeadline(Times.toTimestamp(now.plus(LEASE))))));
    return runId;
  }

  /** A run of the slot that ran for {@code duration} and succeeded. */
  private void succeeded(Instant slot, Duration duration) {
    String runId = fireAndLease(slot);
    Instant started = now;
    now = now.plus(duration);
    long token = store.run(JOB, slot).orElseThrow().getFencingToken();
    apply(Command.newBuilder().setCompleteRuns(CompleteRuns.newBuilder().addCompletions(Completion.newBuilder()
        .setRunId(runId).setFencingToken(token).setWorker("w1").setSucceeded(true)
        .setStartedAt(Times.toTimestamp(started)).setFinishedAt(Times.toTimestamp(now)))));
  }

  private Map<String, Alert> firing(Duration workersSilentFor) {
    return conditions.firing(now, workersSilentFor);
  }

  @Test
  void aRunLeasedFarBeyondTheJobsUsualDurationIsStuckButNotBeforeTheMinimum() {
    succeeded(T0.plusSeconds(1), Duration.ofSeconds(3));
    succeeded(T0.plusSeconds(10), Duration.ofSeconds(3));
    Instant leasedAt = T0.plusSeconds(21);
    fireAndLease(T0.plusSeconds(20));
    now = leasedAt.plusSeconds(14); // under 5 x the usual 3 s
    assertThat(firing(WORKERS_HEARD)).isEmpty();
    now = leasedAt.plusSeconds(16);
    Alert stuck = firing(WORKERS_HEARD).get("stuck-run/" + JOB);
    assertThat(stuck.getKind()).isEqualTo(AlertKind.STUCK_RUN);
    assertThat(stuck.getRunId()).isEqualTo(RunIds.of(JOB, T0.plusSeconds(20)));
    assertThat(stuck.getDetail()).contains("leased to w1 for 16 s").contains("usual 3000 ms");
  }

  @Test
  void missedSlotsAlertUntilALaterSlotFires() {
    now = T0.plusSeconds(30);
    decide(SlotDecision.newBuilder().setSlot(Times.toTimestamp(T0.plusSeconds(20))).setFire(false)
        .setSkipReason("missed: misfire policy skip").setSkippedCount(20));
    Alert missed = firing(WORKERS_HEARD).get("missed-slots/" + JOB);
    assertThat(missed.getKind()).isEqualTo(AlertKind.MISSED_SLOTS);
    assertThat(missed.getDetail()).contains("20 slot(s)").contains("misfire policy skip");

    fireAndLease(T0.plusSeconds(30));
    assertThat(firing(WORKERS_HEARD)).doesNotContainKey("missed-slots/" + JOB);
  }

  @Test
  void queuedRunsOfManyJobsRaiseOneNoWorkersAlertOnlyAfterTheThreshold() {
    putJob("nightly");
    now = T0.plusSeconds(3);
    decide(SlotDecision.newBuilder().setSlot(Times.toTimestamp(T0.plusSeconds(1))).setFire(true));
    decide(SlotDecision.newBuilder().setSlot(Times.toTimestamp(T0.plusSeconds(2))).setFire(true));
    apply(Command.newBuilder().setFireSlots(FireSlots.newBuilder().addDecisions(
        SlotDecision.newBuilder().setJob("nightly").setSlot(Times.toTimestamp(T0.plusSeconds(3))).setFire(true))));
    assertThat(firing(Duration.ofSeconds(59))).isEmpty();

    Map<String, Alert> firing = firing(Duration.ofSeconds(60));
    assertThat(firing).containsOnlyKeys("no-workers");
    Alert none = firing.get("no-workers");
    assertThat(none.getKind()).isEqualTo(AlertKind.NO_WORKERS);
    assertThat(none.getJob()).isEqualTo(JOB);
    assertThat(none.getRunId()).isEqualTo(RunIds.of(JOB, T0.plusSeconds(1)));
    assertThat(none.getDetail()).startsWith("3 run(s) queued").contains("for 60 s");
  }

  @Test
  void aFiringNoWorkersAlertIsKeptAsRaisedWithoutCountingTheQueueAgain() {
    now = T0.plusSeconds(2);
    decide(SlotDecision.newBuilder().setSlot(Times.toTimestamp(T0.plusSeconds(1))).setFire(true));
    Alert raised = firing(Duration.ofSeconds(60)).get("no-workers");
    assertThat(raised.getDetail()).startsWith("1 run(s) queued");
    apply(Command.newBuilder().setRaiseAlerts(RaiseAlerts.newBuilder().addAlerts(raised)));

    decide(SlotDecision.newBuilder().setSlot(Times.toTimestamp(T0.plusSeconds(2))).setFire(true));
    Alert stillFiring = firing(Duration.ofSeconds(65)).get("no-workers");
    assertThat(stillFiring.getDetail()).as("the detail it was raised with").startsWith("1 run(s) queued");
    assertThat(stillFiring).isEqualTo(store.alert("no-workers").orElseThrow());
    assertThat(stillFiring.getState()).isEqualTo(AlertState.FIRING);
  }
}
