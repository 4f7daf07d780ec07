package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.CancelRun;
import io.raftcron.proto.Command;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.DeleteJob;
import io.raftcron.proto.Executor;
import io.raftcron.proto.ExpireLeases;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.LeaseExpiry;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.Run;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SlotDecision;
import io.raftcron.proto.TriggerJob;
import io.raftcron.sm.Times;
import io.raftcron.sm.applier.Applier;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The incremental per-job alerts over a real store built by the real applier, fed every applied
 * command as the leader session feeds them: they match a fresh evaluation of every job, while a
 * check re-evaluates only the jobs that changed.
 */
class JobAlertsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Duration LEASE = Duration.ofSeconds(30);
  private static final AlertRules RULES = AlertRules.DEFAULT.withFailuresInARow(2);
  private static final String MISSED = "missed: misfire policy skip";
  private static final List<String> JOBS = List.of("a", "b", "c");

  @TempDir Path dir;
  private SchedulerStore store;
  private Applier applier;
  private AlertConditions conditions;
  private JobAlerts jobAlerts;
  private long index;
  private Instant now = T0;

  @BeforeEach
  void open() {
    store = SchedulerStore.open(dir.resolve("db"));
    applier = new Applier(store);
    conditions = new AlertConditions(store, RULES, LEASE);
    jobAlerts = new JobAlerts(store, conditions);
  }

  @AfterEach
  void close() {
    store.close();
  }

  /** Applies the command at the current leader time and hands it to the job alerts. */
  private void apply(Command.Builder command) {
    Command stamped = command.setLeaderTime(Times.toTimestamp(now)).setLeaderNode("n1").setTerm(1).build();
    jobAlerts.onApplied(stamped, applier.apply(++index, stamped));
  }

  private void put(String job) {
    JobSpec spec = JobSpec.newBuilder()
        .setName(job)
        .setSchedule("* * * * * *")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
        .build();
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec).setCreate(true)));
  }

  /** One second later, fires the job's slot at that time. */
  private void fire(String job) {
    now = now.plusSeconds(1);
    apply(Command.newBuilder().setFireSlots(FireSlots.newBuilder()
        .addDecisions(SlotDecision.newBuilder().setJob(job).setSlot(Times.toTimestamp(now)).setFire(true))));
  }

  /** One second later, skips the job's slots through that time. */
  private void skip(String job, String reason) {
    now = now.plusSeconds(1);
    apply(Command.newBuilder().setFireSlots(FireSlots.newBuilder()
        .addDecisions(SlotDecision.newBuilder().setJob(job).setSlot(Times.toTimestamp(now)).setFire(false)
            .setSkipReason(reason).setSkippedCount(1))));
  }

  /** Leases the job's oldest queued run to w1 and returns it as leased, if it has one. */
  private Optional<Run> lease(String job) {
    Optional<Run> queued = store.queuedRuns(1, run -> run.getJob().equals(job)).stream().findFirst();
    queued.ifPresent(run -> apply(Command.newBuilder().setGrantLeases(GrantLeases.newBuilder()
        .addGrants(LeaseGrant.newBuilder().setRunId(run.getRunId()).setWorker("w1")
            .setDeadline(Times.toTimestamp(now.plus(LEASE)))))));
    return queued.flatMap(run -> store.run(run.getRunId()));
  }

  /** Runs the job's oldest queued run to the end, with the outcome given. */
  private void runOldest(String job, boolean succeeded) {
    lease(job).ifPresent(run -> apply(Command.newBuilder().setCompleteRuns(CompleteRuns.newBuilder()
        .addCompletions(Completion.newBuilder().setRunId(run.getRunId()).setFencingToken(run.getFencingToken())
            .setWorker("w1").setSucceeded(succeeded).setError(succeeded ? "" : "disk full")
            .setStartedAt(Times.toTimestamp(now)).setFinishedAt(Times.toTimestamp(now))))));
  }

  private List<Alert> jobAlertsOfAFreshEvaluation() {
    return conditions.firing(now, Duration.ZERO).values().stream()
        .filter(a -> a.getKind() == AlertKind.FAILING_JOB || a.getKind() == AlertKind.MISSED_SLOTS)
        .toList();
  }

  private void passOverAllJobs() {
    while (!jobAlerts.loadNext(2)) {
      // page after page, as the detector does between other leader work
    }
  }

  @Test
  void theInitialPassGoesAPageAtATimeAndChecksWaitForItsEnd() {
    JOBS.forEach(this::put);
    put("d");
    put("e");
    skip("d", MISSED);

    assertThat(jobAlerts.loadNext(2)).isFalse();
    assertThat(jobAlerts.evaluations()).isEqualTo(2);
    assertThatThrownBy(jobAlerts::current).isInstanceOf(IllegalStateException.class);
    assertThat(jobAlerts.loadNext(2)).isFalse();
    assertThat(jobAlerts.loadNext(2)).isTrue();
    assertThat(jobAlerts.evaluations()).isEqualTo(5);
    assertThat(jobAlerts.current()).extracting(Alert::getId).containsExactly("missed-slots/d");
  }

  @Test
  void theJobsChangedSoFarCanBeEvaluatedInStepsBeforeACheck() {
    JOBS.forEach(this::put);
    put("d");
    put("e");
    passOverAllJobs();
    skip("d", MISSED);
    long afterPass = jobAlerts.evaluations();
    LeaderTerm.Steps changedSoFar = jobAlerts.changedSoFar(); // the puts' five marks, d's among them
    put("f"); // changed after: left to the check

    assertThat(changedSoFar.advance(() -> true)).isFalse(); // one, then told to stop
    assertThat(jobAlerts.evaluations()).isEqualTo(afterPass + 1);
    assertThat(changedSoFar.advance(() -> false)).isTrue();
    assertThat(jobAlerts.evaluations()).isEqualTo(afterPass + 5);
    assertThat(jobAlerts.current()).extracting(Alert::getId).containsExactly("missed-slots/d");
    assertThat(jobAlerts.evaluations()).isEqualTo(afterPass + 6); // f alone was left for the check
  }

  @Test
  void aCheckWithNothingChangedEvaluatesNoJob() {
    JOBS.forEach(this::put);
    passOverAllJobs();
    assertThat(jobAlerts.current()).isEmpty(); // also evaluates the jobs marked by their puts
    long afterPass = jobAlerts.evaluations();
    assertThat(jobAlerts.current()).isEmpty();
    assertThat(jobAlerts.current()).isEmpty();
    assertThat(jobAlerts.evaluations()).isEqualTo(afterPass);

    fire("a"); // a queued run changes neither condition of a job without a missed-slots alert
    assertThat(jobAlerts.current()).isEmpty();
    assertThat(jobAlerts.evaluations()).isEqualTo(afterPass);
    runOldest("a", true); // nor does a success of a job that is not failing
    assertThat(jobAlerts.current()).isEmpty();
    assertThat(jobAlerts.evaluations()).isEqualTo(afterPass);
    fire("a");
    runOldest("a", false); // a failure may start the failing condition: the job is evaluated
    assertThat(jobAlerts.current()).isEmpty();
    assertThat(jobAlerts.evaluations()).isEqualTo(afterPass + 1);

    skip("b", MISSED);
    assertThat(jobAlerts.current()).extracting(Alert::getId).containsExactly("missed-slots/b");
    assertThat(jobAlerts.evaluations()).isEqualTo(afterPass + 2);
    fire("b"); // a later slot of a job with a missed-slots alert ends it
    assertThat(jobAlerts.current()).isEmpty();
    assertThat(jobAlerts.evaluations()).isEqualTo(afterPass + 3);
  }

  @Test
  void failuresAfterTheFirstCheckRaiseFailingJobAndASuccessResolvesIt() {
    put("a");
    passOverAllJobs();
    assertThat(jobAlerts.current()).isEmpty();

    fire("a");
    runOldest("a", false);
    assertThat(jobAlerts.current()).isEmpty();
    fire("a");
    runOldest("a", false);
    assertThat(jobAlerts.current()).singleElement().satisfies(alert -> {
      assertThat(alert.getId()).isEqualTo("failing-job/a");
      assertThat(alert.getDetail()).contains("the last 2 runs failed").contains("disk full");
    });

    fire("a");
    runOldest("a", true);
    assertThat(jobAlerts.current()).isEmpty();
  }

  @Test
  void aDeletedJobsAlertsAreNoLongerWanted() {
    put("a");
    skip("a", MISSED);
    passOverAllJobs();
    assertThat(jobAlerts.current()).extracting(Alert::getId).containsExactly("missed-slots/a");

    apply(Command.newBuilder().setDeleteJob(DeleteJob.newBuilder().setName("a")));
    assertThat(jobAlerts.current()).isEmpty();
  }

  /** Seeded random histories: after every command the kept alerts equal a fresh evaluation. */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void theKeptAlertsEqualAFreshEvaluationAfterEveryCommand(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    JOBS.forEach(this::put);
    passOverAllJobs();
    for (int step = 0; step < 300; step++) {
      String job = JOBS.get(random.nextInt(JOBS.size()));
      switch (random.nextInt(8)) {
        case 0, 1 -> fire(job);
        case 2 -> skip(job, MISSED);
        case 3 -> skip(job, "paused");
        case 4 -> runOldest(job, random.nextInt(3) > 0);
        case 5 -> lease(job).ifPresent(run -> apply(Command.newBuilder().setExpireLeases(ExpireLeases.newBuilder()
            .addExpiries(LeaseExpiry.newBuilder().setRunId(run.getRunId()).setFencingToken(run.getFencingToken())))));
        case 6 -> apply(Command.newBuilder().setTriggerJob(TriggerJob.newBuilder().setName(job)));
        default -> {
          if (random.nextBoolean()) {
            store.queuedRuns(1, run -> run.getJob().equals(job))
                .forEach(run -> apply(Command.newBuilder().setCancelRun(CancelRun.newBuilder().setRunId(run.getRunId()))));
          } else if (store.job(job).isPresent()) {
            apply(Command.newBuilder().setDeleteJob(DeleteJob.newBuilder().setName(job)));
          } else {
            put(job); // re-created behind its old runs and skipped ranges
          }
        }
      }
      assertThat(jobAlerts.current()).as("seed %d, step %d", seed, step).isEqualTo(jobAlertsOfAFreshEvaluation());
    }
  }
}
