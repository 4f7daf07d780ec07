package io.raftcron.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.raftcron.proto.Attempt;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * A checker that cannot fail is a defect: each checker is shown a clean synthetic history (no
 * violation) and one with the fault it exists to catch (the violation is reported).
 */
class CheckersTest {
  static final long T0 = 1_800_000_000L; // an epoch second

  static Timestamp ts(long second, long nanos) {
    return Timestamp.newBuilder().setSeconds(second).setNanos((int) nanos).build();
  }

  static Run run(String job, long slot, long fireIndex, String firedBy, long term, long token, String worker,
      RunState state) {
    return Run.newBuilder().setRunId(job + "@" + Instant.ofEpochSecond(slot)).setJob(job).setSlot(ts(slot, 0))
        .setAttempt(1).setState(state).setFiredBy(firedBy).setTerm(term).setFireIndex(fireIndex)
        .setFiredAt(ts(slot, 5_000_000)).setWorker(worker).setFencingToken(token)
        .setStartedAt(ts(slot, 10_000_000)).setFinishedAt(ts(slot, 90_000_000)).build();
  }

  static Job job(String name, long created, int fired) {
    return Job.newBuilder().setSpec(JobSpec.newBuilder().setName(name)).setCreatedAt(ts(created, 0))
        .setFiredCount(fired).setVersion(3).build();
  }

  static Witness.Exec exec(Run run, long token, String worker, long startOffsetNanos, long endOffsetNanos) {
    long base = run.getSlot().getSeconds() * 1_000_000_000L;
    return new Witness.Exec(run.getJob(), Instant.ofEpochSecond(run.getSlot().getSeconds()).toString(),
        run.getRunId(), 1, token, worker, base + startOffsetNanos, endOffsetNanos > 0 ? base + endOffsetNanos : 0);
  }

  /** A job firing every second from T0+1 to T0+n, each slot fired once by n1 and run once by w1. */
  static List<Run> cleanRuns(String job, int n) {
    List<Run> runs = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      runs.add(run(job, T0 + i, 10L * i, "n1", 2, 10L * i + 1, "w1", RunState.SUCCEEDED));
    }
    return runs;
  }

  static Witness.Record witnessOf(List<Run> runs) {
    List<Witness.Exec> execs = new ArrayList<>();
    for (Run r : runs) {
      execs.add(exec(r, r.getFencingToken(), r.getWorker(), 20_000_000, 80_000_000));
    }
    return new Witness.Record(execs, List.of());
  }

  static NodeView view(String node, long applied, List<Run> runs, int firedCount) {
    Map<String, Job> jobs = new LinkedHashMap<>();
    jobs.put("tick", job("tick", T0, firedCount));
    Map<String, List<Run>> byJob = new LinkedHashMap<>();
    byJob.put("tick", runs);
    return new NodeView(node, applied, jobs, byJob, true);
  }

  @Nested
  class I1 {
    @Test
    void cleanHistoryPasses() {
      List<Run> runs = cleanRuns("tick", 10);
      List<NodeView> views = List.of(view("n1", 500, runs, 10), view("n2", 500, runs, 10));
      assertThat(Checks.i1(views, witnessOf(runs))).isEmpty();
      assertThat(new Checks.Ledger().observe(views)).isEmpty();
    }

    @Test
    void aSlotFiredTwiceIsReportedByTheLedger() {
      List<Run> runs = cleanRuns("tick", 5);
      Checks.Ledger ledger = new Checks.Ledger();
      assertThat(ledger.observe(List.of(view("n1", 100, runs, 5)))).isEmpty();
      // Later the same slot shows another fire decision: a second leader fired it again.
      List<Run> refired = new ArrayList<>(runs);
      refired.set(2, run("tick", T0 + 3, 77, "n2", 3, 78, "w2", RunState.SUCCEEDED));
      assertThat(ledger.observe(List.of(view("n2", 200, refired, 6))))
          .extracting(Violation::invariant).containsExactly("I1");
    }

    @Test
    void aSlotFiredTwiceIsReportedByTheFiredCount() {
      List<Run> runs = cleanRuns("tick", 5);
      assertThat(Checks.i1(List.of(view("n1", 100, runs, 6)), witnessOf(runs)))
          .extracting(Violation::invariant).containsExactly("I1");
    }

    @Test
    void aSlotExecutedUnderTwoLeasesWithoutAnExpiryIsReported() {
      List<Run> runs = new ArrayList<>(cleanRuns("tick", 5));
      // The slot was decided again (a new run record replaced the first one and was leased anew):
      // two executions under two tokens, yet the cluster records no expired lease for the run.
      Run r = runs.get(1).toBuilder().setFencingToken(25).build();
      runs.set(1, r);
      List<Witness.Exec> execs = new ArrayList<>(witnessOf(runs).execs());
      execs.add(exec(r, 22, "w2", 30_000_000, 70_000_000));
      List<Violation> found = Checks.i1(List.of(view("n1", 100, runs, 5)), new Witness.Record(execs, List.of()));
      assertThat(found).singleElement().satisfies(v -> {
        assertThat(v.invariant()).isEqualTo("I1");
        assertThat(v.message()).contains("executed under 2 leases");
      });
    }

    @Test
    void anExecutionUnderATokenNeverGrantedIsReported() {
      List<Run> runs = cleanRuns("tick", 3);
      List<Witness.Exec> execs = new ArrayList<>(witnessOf(runs).execs());
      execs.set(0, exec(runs.get(0), 9_999, "w1", 20_000_000, 80_000_000));
      assertThat(Checks.i1(List.of(view("n1", 100, runs, 3)), new Witness.Record(execs, List.of())))
          .anySatisfy(v -> assertThat(v.message()).contains("never granted"));
    }

    @Test
    void aReLeasedRunMayRunTwice() {
      List<Run> runs = new ArrayList<>(cleanRuns("tick", 3));
      Run r = runs.get(0).toBuilder().setExpiredLeases(1).setFencingToken(25).build();
      runs.set(0, r);
      List<Witness.Exec> execs = new ArrayList<>(witnessOf(runs).execs());
      execs.add(exec(r, 11, "w2", 15_000_000, 0)); // the first lease, paused, never finished
      assertThat(Checks.i1(List.of(view("n1", 100, runs, 3)), new Witness.Record(execs, List.of()))).isEmpty();
    }
  }

  @Nested
  class I2 {
    @Test
    void everySlotFiredPasses() {
      List<Run> runs = cleanRuns("tick", 20);
      assertThat(Checks.i2(List.of(view("n1", 1, runs, 20)), List.of(new Checks.ScheduledJob("tick", 1)),
          Instant.ofEpochSecond(T0 + 20))).isEmpty();
    }

    @Test
    void aLostSlotIsReported() {
      List<Run> runs = new ArrayList<>(cleanRuns("tick", 20));
      runs.remove(7);
      runs.remove(7);
      List<Violation> found = Checks.i2(List.of(view("n1", 1, runs, 18)), List.of(new Checks.ScheduledJob("tick", 1)),
          Instant.ofEpochSecond(T0 + 20));
      assertThat(found).singleElement().satisfies(v -> {
        assertThat(v.invariant()).isEqualTo("I2");
        assertThat(v.message()).contains("2 slots").contains(Instant.ofEpochSecond(T0 + 8) + ".." + Instant.ofEpochSecond(T0 + 9));
      });
    }

    @Test
    void aSkipUnderFireAllIsReported() {
      List<Run> runs = cleanRuns("tick", 5);
      NodeView v = view("n1", 1, runs, 5);
      v.jobs().put("tick", v.jobs().get("tick").toBuilder().setSkippedCount(3).build());
      assertThat(Checks.i2(List.of(v), List.of(new Checks.ScheduledJob("tick", 1)), Instant.ofEpochSecond(T0 + 5)))
          .extracting(Violation::invariant).containsExactly("I2");
    }
  }

  @Nested
  class I3 {
    @Test
    void anAcknowledgedWriteThatIsLostIsReported() {
      Op create = Op.of(1, "c0", Op.F.CREATE, "k", "v1", 0, 0).ok(10, 5, null);
      Op update = Op.of(2, "c1", Op.F.UPDATE, "k", "v2", 5, 20).ok(30, 9, null);
      // The final state still shows the create: the acknowledged update is gone.
      assertThat(AckedWrites.check(List.of(create, update), Map.of("k", AckedWrites.Final.of(5, "v1"))))
          .extracting(Violation::invariant).containsExactly("I3");
    }

    @Test
    void anAcknowledgedDeleteThatIsUndoneIsReported() {
      Op create = Op.of(1, "c0", Op.F.CREATE, "k", "v1", 0, 0).ok(10, 5, null);
      Op delete = Op.of(2, "c0", Op.F.DELETE, "k", null, 0, 20).ok(30, -1, null);
      assertThat(AckedWrites.check(List.of(create, delete), Map.of("k", AckedWrites.Final.of(5, "v1"))))
          .extracting(Violation::invariant).containsExactly("I3");
    }

    @Test
    void aLaterUnknownWriteMayExplainTheFinalState() {
      Op create = Op.of(1, "c0", Op.F.CREATE, "k", "v1", 0, 0).ok(10, 5, null);
      Op update = Op.of(2, "c1", Op.F.UPDATE, "k", "v2", 5, 20).info("DEADLINE_EXCEEDED");
      assertThat(AckedWrites.check(List.of(create, update), Map.of("k", AckedWrites.Final.of(12, "v2")))).isEmpty();
      assertThat(AckedWrites.check(List.of(create, update), Map.of("k", AckedWrites.Final.of(5, "v1")))).isEmpty();
    }

    @Test
    void writesAcknowledgedOutOfOrderAreReported() {
      Op a = Op.of(1, "c0", Op.F.CREATE, "k", "v1", 0, 0).ok(10, 9, null);
      Op b = Op.of(2, "c1", Op.F.UPDATE, "k", "v2", 9, 20).ok(30, 7, null);
      assertThat(AckedWrites.check(List.of(a, b), Map.of("k", AckedWrites.Final.of(7, "v2"))))
          .extracting(Violation::invariant).containsExactly("I3");
    }
  }

  @Nested
  class I4 {
    @Test
    void aCompletionFromTheCurrentLeasePasses() {
      List<Run> runs = cleanRuns("tick", 5);
      assertThat(Checks.i4(List.of(view("n1", 1, runs, 5)), witnessOf(runs))).isEmpty();
    }

    @Test
    void aCompletionFromAStaleLeaseIsReported() {
      // w1 ran the slot under token 11, was paused past its lease; w2 got token 15 and is still
      // running when w1 wakes up and completes: the run is SUCCEEDED under token 15 with w1's times.
      Run stale = run("tick", T0 + 1, 10, "n1", 2, 15, "w2", RunState.SUCCEEDED).toBuilder().setExpiredLeases(1)
          .setStartedAt(ts(T0 + 1, 10_000_000)).setFinishedAt(ts(T0 + 9, 0)).build();
      List<Witness.Exec> execs = List.of(
          exec(stale, 11, "w1", 20_000_000, 8_500_000_000L),
          exec(stale, 15, "w2", 6_200_000_000L, 8_700_000_000L));
      List<Violation> found = Checks.i4(List.of(view("n1", 1, List.of(stale), 1)), new Witness.Record(execs, List.of()));
      assertThat(found).singleElement().satisfies(v -> {
        assertThat(v.invariant()).isEqualTo("I4");
        assertThat(v.message()).contains("stale lease");
      });
    }

    @Test
    void aCompletionWithNoExecutionUnderItsTokenIsReported() {
      Run r = run("tick", T0 + 1, 10, "n1", 2, 15, "w2", RunState.SUCCEEDED);
      Witness.Record witness = new Witness.Record(List.of(exec(r, 11, "w1", 20_000_000, 80_000_000)), List.of());
      assertThat(Checks.i4(List.of(view("n1", 1, List.of(r), 1)), witness))
          .extracting(Violation::invariant).containsExactly("I4");
    }

    private Attempt attempt(int n, long token, String worker, RunState outcome, long finishedSecond) {
      return Attempt.newBuilder().setAttempt(n).setFencingToken(token).setWorker(worker).setOutcome(outcome)
          .setFinishedAt(ts(finishedSecond, 0)).build();
    }

    @Test
    void aRetryUnderANewerLeaseAfterAnAcceptedFailurePasses() {
      Run r = run("tick", T0 + 1, 10, "n1", 2, 15, "w2", RunState.SUCCEEDED).toBuilder()
          .addAttempts(attempt(1, 11, "w1", RunState.FAILED, T0 + 2))
          .addAttempts(attempt(2, 15, "w2", RunState.SUCCEEDED, T0 + 6)).build();
      List<Witness.Exec> execs = List.of(exec(r, 11, "w1", 20_000_000, 900_000_000),
          exec(r, 15, "w2", 4_000_000_000L, 4_900_000_000L));
      assertThat(Checks.attemptTokens("n1", r, execs)).isEmpty();
    }

    @Test
    void anAttemptAcceptedFromASupersededLeaseIsReported() {
      // w1's report under token 11 finished at T0+9, but w2's lease 15 began executing at T0+7.2.
      Run r = run("tick", T0 + 1, 10, "n1", 2, 15, "w2", RunState.SUCCEEDED).toBuilder()
          .addAttempts(attempt(1, 11, "w1", RunState.SUCCEEDED, T0 + 9)).build();
      List<Witness.Exec> execs = List.of(exec(r, 11, "w1", 20_000_000, 8_000_000_000L),
          exec(r, 15, "w2", 6_200_000_000L, 0));
      assertThat(Checks.attemptTokens("n1", r, execs)).singleElement()
          .satisfies(v -> assertThat(v.message()).contains("superseded lease"));
    }

    @Test
    void attemptTokensThatDoNotIncreaseAreReported() {
      Run r = run("tick", T0 + 1, 10, "n1", 2, 15, "w2", RunState.SUCCEEDED).toBuilder()
          .addAttempts(attempt(1, 15, "w2", RunState.SUCCEEDED, T0 + 3))
          .addAttempts(attempt(1, 11, "w1", RunState.SUCCEEDED, T0 + 4)).build();
      assertThat(Checks.attemptTokens("n1", r, List.of())).singleElement()
          .satisfies(v -> assertThat(v.message()).contains("tokens must increase"));
    }

    @Test
    void aTokenGoingBackIsReported() {
      Checks.Ledger ledger = new Checks.Ledger();
      Run r = run("tick", T0 + 1, 10, "n1", 2, 15, "w2", RunState.LEASED);
      ledger.observe(List.of(view("n1", 1, List.of(r), 1)));
      assertThat(ledger.observe(List.of(view("n1", 2, List.of(r.toBuilder().setFencingToken(12).build()), 1))))
          .extracting(Violation::invariant).containsExactly("I4");
    }
  }

  @Nested
  class I6 {
    @Test
    void twoNodesFiringInOneTermAreReported() {
      List<Run> runs = new ArrayList<>(cleanRuns("tick", 4));
      runs.set(3, runs.get(3).toBuilder().setFiredBy("n3").build());
      assertThat(Checks.i6(List.of(view("n1", 1, runs, 4)), List.of()))
          .extracting(Violation::invariant).containsExactly("I6");
    }

    @Test
    void twoLeadersInOneTermAreReported() {
      assertThat(Checks.i6(List.of(), List.of(new Checks.LeaderSample("n1", 4), new Checks.LeaderSample("n2", 4),
          new Checks.LeaderSample("n2", 5)))).extracting(Violation::invariant).containsExactly("I6");
    }

    @Test
    void aTornStatusSampleIsNoLeadershipClaim() {
      // Seen on an old leader waking up from a pause: role still LEADER, term and leader already new.
      io.raftcron.proto.NodeStatus torn = io.raftcron.proto.NodeStatus.newBuilder().setNodeId("n2").setRole("LEADER")
          .setTerm(4).setLeaderRaftAddr("10.0.0.11:7001").build();
      io.raftcron.proto.NodeStatus leading = io.raftcron.proto.NodeStatus.newBuilder().setNodeId("n2").setRole("LEADER")
          .setTerm(4).setLeaderRaftAddr("10.0.0.12:7001").build();
      assertThat(Observer.confirmedLeader(leading, torn, "10.0.0.12:7001")).isFalse();
      assertThat(Observer.confirmedLeader(null, leading, "10.0.0.12:7001")).isFalse();
      assertThat(Observer.confirmedLeader(leading, leading, "10.0.0.12:7001")).isTrue();
      assertThat(Observer.confirmedLeader(leading.toBuilder().setTerm(3).build(), leading, "10.0.0.12:7001")).isFalse();
    }

    @Test
    void replicasThatDisagreeAreReported() {
      List<Run> runs = cleanRuns("tick", 6);
      List<Run> other = new ArrayList<>(runs);
      other.remove(2);
      assertThat(Checks.converged(List.of(view("n1", 100, runs, 6), view("n2", 100, runs, 6)), 60)).isEmpty();
      assertThat(Checks.converged(List.of(view("n1", 100, runs, 6), view("n2", 100, other, 5)), 60))
          .extracting(Violation::invariant).containsExactly("I6");
    }
  }

  @Nested
  class I8 {
    @Test
    void executionsAtOrAfterTheirSlotPass() {
      List<Run> runs = cleanRuns("tick", 5);
      assertThat(Checks.i8(witnessOf(runs), java.time.Duration.ofMillis(500))).isEmpty();
    }

    @Test
    void anExecutionBeforeItsSlotIsReported() {
      List<Run> runs = cleanRuns("tick", 5);
      List<Witness.Exec> execs = new ArrayList<>(witnessOf(runs).execs());
      execs.add(exec(run("tick", T0 + 40, 300, "n1", 2, 301, "w1", RunState.SUCCEEDED), 301, "w1",
          -30_000_000_000L, -29_900_000_000L));
      assertThat(Checks.i8(new Witness.Record(execs, List.of()), java.time.Duration.ofMillis(500)))
          .singleElement().satisfies(v -> {
            assertThat(v.invariant()).isEqualTo("I8");
            assertThat(v.message()).contains("1 executions started before their slot");
          });
    }
  }

  @Nested
  class WitnessParsing {
    @Test
    void startsAndEndsPairUpPerLease() {
      Witness.Record r = Witness.parse(List.of(
          "S tick 2026-01-01T00:00:01Z tick@2026-01-01T00:00:01Z 1 17 w1 100",
          "S tick 2026-01-01T00:00:01Z tick@2026-01-01T00:00:01Z 1 23 w2 300",
          "E tick 2026-01-01T00:00:01Z tick@2026-01-01T00:00:01Z 1 23 w2 400",
          "E tick 2026-01-01T00:00:01Z tick@2026-01-01T00:00:01Z 1 17 w1 900",
          "garbage"));
      assertThat(r.execs()).extracting(Witness.Exec::token, Witness.Exec::endEpochNanos)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(17L, 900L), org.assertj.core.groups.Tuple.tuple(23L, 400L));
      assertThat(r.problems()).hasSize(1);
    }

    @Test
    void aWriteTheFenceRefusedEndsItsExecutionAndIsCounted() {
      Witness.Record r = Witness.parse(List.of(
          "S tick 2026-01-01T00:00:01Z tick@2026-01-01T00:00:01Z 1 17 w1 100",
          "S tick 2026-01-01T00:00:01Z tick@2026-01-01T00:00:01Z 1 23 w2 300",
          "E tick 2026-01-01T00:00:01Z tick@2026-01-01T00:00:01Z 1 23 w2 400",
          "X tick 2026-01-01T00:00:01Z tick@2026-01-01T00:00:01Z 1 17 w1 900"));
      assertThat(r.execs()).allMatch(Witness.Exec::ended);
      assertThat(r.refusedWriteSlots()).containsExactly("2026-01-01T00:00:01Z");
      assertThat(r.problems()).isEmpty();
    }
  }
}
