package io.raftcron.sm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.BackfillJob;
import io.raftcron.proto.PauseJob;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.ResumeJob;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.TriggerJob;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.planner.FirePlanner;
import io.raftcron.sm.schedule.Schedule;
import io.raftcron.sm.store.SchedulerStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

/**
 * Exactly-once triggering under a settable clock: the planner and the applier, driven through
 * leader changes, stale and duplicated proposals applied in any order, lost proposals and
 * restarts (from a snapshot or from the store's own files), with pauses and resumes, manual
 * triggers (with and without a request id) and backfills proposed among them. At most one run per
 * (job, slot) after every step, and one manual run per request id; at the end, once the current
 * leader has resumed every job and caught up, every slot is accounted for, and a fire-all job has a
 * run for every one.
 */
class ExactlyOncePropertiesTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00.250Z");

  /** The jobs of every try, created at START by the first leader. */
  private static final List<JobSpec> JOBS =
      List.of(
          TestCommands.spec("every-second", "* * * * * *", MisfirePolicy.FIRE_ALL),
          TestCommands.spec("every-third", "*/3 * * * * *", MisfirePolicy.FIRE_ALL),
          TestCommands.spec("pair", "@every 2s", MisfirePolicy.MISFIRE_POLICY_UNSPECIFIED),
          TestCommands.spec("lazy", "* * * * * *", MisfirePolicy.SKIP),
          TestCommands.spec("lazy-third", "*/3 * * * * *", MisfirePolicy.SKIP),
          TestCommands.spec("short-window", "@every 2s", MisfirePolicy.FIRE_ALL).toBuilder()
              .setCatchupWindow(Duration.newBuilder().setSeconds(8))
              .build());

  /** Fire-all jobs whose catch-up window (one hour) is longer than any try: nothing may skip. */
  private static final Set<String> NEVER_SKIPS = Set.of("every-second", "every-third", "pair");

  // ---- the steps ----

  sealed interface Step {}

  /** The clock moves forward. */
  record Advance(int millis) implements Step {}

  /** The current leader plans every job from the committed state and proposes one FireSlots. */
  record Plan(int maxFires) implements Step {}

  /** A proposed entry commits and is applied; with {@code again} a re-proposal stays pending. */
  record Commit(int pick, boolean again) implements Step {}

  /** A proposed entry is lost (never committed). */
  record Lose(int pick) implements Step {}

  /** A proposed entry is proposed a second time (a retry after a timeout). */
  record Repropose(int pick) implements Step {}

  /** Another node becomes leader, in the next term, its clock off by {@code skewMillis}. */
  record NewLeader(int skewMillis) implements Step {}

  /** The node restarts: from a snapshot into a new store, or by reopening its own store. */
  record Restart(boolean fromSnapshot) implements Step {}

  /** The leader proposes pausing a job. */
  record Pause(int job) implements Step {}

  /** The leader proposes resuming a job, with the decisions it plans for the pause window. */
  record Resume(int job) implements Step {}

  /** The leader proposes a manual run of a job, with one of a few request ids or none. */
  record Trigger(int job, int requestId) implements Step {}

  /** The leader proposes backfilling the last {@code seconds} of a job (slots at or before its cursor). */
  record Backfill(int job, int seconds) implements Step {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Step> advance = Arbitraries.integers().between(0, 5000).map(Advance::new);
    Arbitrary<Step> plan = Arbitraries.integers().between(1, 40).map(Plan::new);
    Arbitrary<Step> commit =
        Combinators.combine(Arbitraries.integers().between(0, 1000), Arbitraries.of(false, false, true))
            .as(Commit::new);
    Arbitrary<Step> lose = Arbitraries.integers().between(0, 1000).map(Lose::new);
    Arbitrary<Step> repropose = Arbitraries.integers().between(0, 1000).map(Repropose::new);
    Arbitrary<Step> newLeader = Arbitraries.integers().between(-2000, 2000).map(NewLeader::new);
    Arbitrary<Step> restart = Arbitraries.of(true, false).map(Restart::new);
    Arbitrary<Integer> job = Arbitraries.integers().between(0, JOBS.size() - 1);
    Arbitrary<Step> pause = job.map(Pause::new);
    Arbitrary<Step> resume = job.map(Resume::new);
    Arbitrary<Step> trigger =
        Combinators.combine(job, Arbitraries.integers().between(0, 3)).as(Trigger::new);
    Arbitrary<Step> backfill =
        Combinators.combine(job, Arbitraries.integers().between(1, 60)).as(Backfill::new);
    Arbitrary<Step> step =
        Arbitraries.frequencyOf(
            Tuple.of(30, advance),
            Tuple.of(25, plan),
            Tuple.of(30, commit),
            Tuple.of(4, lose),
            Tuple.of(5, repropose),
            Tuple.of(6, newLeader),
            Tuple.of(2, restart),
            Tuple.of(3, pause),
            Tuple.of(4, resume),
            Tuple.of(3, trigger),
            Tuple.of(3, backfill));
    // Uniform lengths: long runs of steps are where stale proposals meet a moved cursor.
    return step.list()
        .ofMinSize(10)
        .ofMaxSize(60)
        .withSizeDistribution(RandomDistribution.uniform());
  }

  @Property(tries = 200, seed = "20260301")
  void everySlotFiresAtMostOnceAndFireAllMissesNone(@ForAll("steps") List<Step> steps)
      throws IOException {
    Path root = Files.createTempDirectory("raftcron-exactly-once");
    try (Simulation sim = new Simulation(root)) {
      for (Step step : steps) {
        sim.run(step);
        sim.checkInvariants();
      }
      sim.catchUp();
      sim.checkInvariants();
      sim.checkEverySlotIsAccountedFor();
      // The interesting interleavings must actually happen, or the property proves little.
      happensInMoreThan("stale skip recounted", sim.staleSkips > 0, 0);
      happensInMoreThan("duplicate refused", sim.duplicates > 0, 30);
      happensInMoreThan("restarted", sim.restarts > 0, 20);
      happensInMoreThan("resumed with decisions", sim.resumedWithDecisions > 0, 10);
      happensInMoreThan("trigger answered by request id", sim.dedupedTriggers > 0, 10);
      happensInMoreThan("backfill fired", sim.backfilled > 0, 10);
    } finally {
      deleteRecursively(root);
    }
  }

  /** Collects whether {@code happened} in this try, and requires it in more than {@code percent}% of the tries. */
  private static void happensInMoreThan(String label, boolean happened, double percent) {
    Statistics.label(label).collect(happened);
    Statistics.label(label).coverage(c -> c.check(true).percentage(p -> p > percent));
  }

  // ---- the simulation ----

  private record Leader(String node, long term, long skewMillis) {}

  /** One replica's state machine plus the log around it: pending proposals, leaders, a clock. */
  private static final class Simulation implements AutoCloseable {
    private final Path root;
    private int generation;
    private Path storeDir;
    private SchedulerStore store;
    private SchedulerStateMachine sm;
    private Instant clock = START;
    private Leader leader = new Leader("n0", 1, 0);
    private long index;
    private final List<Command> pending = new ArrayList<>();
    private final Map<String, Set<Instant>> accepted = new HashMap<>();
    private final Map<String, Instant> lastCursor = new HashMap<>();
    /** Manual runs by job and request id, as the first trigger with that id answered. */
    private final Map<String, String> manualByRequest = new HashMap<>();
    /** Every manual run id a trigger answered, per job. */
    private final Map<String, Set<String>> manual = new HashMap<>();
    private int maxFires = 10;
    private int staleSkips;
    private int duplicates;
    private int restarts;
    private int resumedWithDecisions;
    private int dedupedTriggers;
    private int backfilled;

    Simulation(Path root) {
      this.root = root;
      storeDir = root.resolve("store-0");
      store = SchedulerStore.open(storeDir);
      sm = new SchedulerStateMachine(store, this::record);
      for (JobSpec spec : JOBS) {
        Command create =
            stamp(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec).setCreate(true)));
        assertThat(commit(create).getCode()).isEqualTo(ResultCode.OK);
        accepted.put(spec.getName(), new HashSet<>());
        manual.put(spec.getName(), new HashSet<>());
      }
    }

    private Instant leaderNow() {
      return clock.plusMillis(leader.skewMillis());
    }

    private Command stamp(Command.Builder command) {
      return command
          .setLeaderTime(Times.toTimestamp(leaderNow()))
          .setLeaderNode(leader.node())
          .setTerm(leader.term())
          .build();
    }

    private CommandResult commit(Command command) {
      return sm.apply(++index, command.toByteArray());
    }

    /** The applier's own account of what it accepted: a second acceptance of a slot fails here. */
    private void record(long at, Command command, CommandResult result) {
      switch (command.getOpCase()) {
        case FIRE_SLOTS -> recordDecisions(at, command, command.getFireSlots().getDecisionsList(), result);
        case RESUME_JOB -> {
          if (result.getItemsCount() > 0) {
            resumedWithDecisions++;
            recordDecisions(at, command, command.getResumeJob().getDecisionsList(), result);
          }
        }
        case BACKFILL_JOB -> {
          List<com.google.protobuf.Timestamp> slots = command.getBackfillJob().getSlotsList();
          assertThat(result.getItemsList()).hasSameSizeAs(slots);
          for (int i = 0; i < slots.size(); i++) {
            if (result.getItems(i).getCode() == ResultCode.OK) {
              backfilled++;
              accept(at, command, command.getBackfillJob().getName(), Times.toInstant(slots.get(i)), result.getItems(i));
            }
          }
        }
        case TRIGGER_JOB -> {
          if (result.getCode() != ResultCode.OK) {
            return;
          }
          String job = command.getTriggerJob().getName();
          Run run = result.getItems(0).getRun();
          assertThat(Times.toInstant(run.getSlot()).getNano()).as("a manual run is off the whole seconds").isNotZero();
          String requestId = command.getTriggerJob().getRequestId();
          if (!requestId.isEmpty()) {
            String first = manualByRequest.putIfAbsent(job + "/" + requestId, run.getRunId());
            if (first != null) {
              dedupedTriggers++;
              assertThat(run.getRunId()).as("request id %s of %s", requestId, job).isEqualTo(first);
            }
          }
          manual.get(job).add(run.getRunId());
        }
        default -> {}
      }
    }

    private void recordDecisions(long at, Command command, List<SlotDecision> decisions, CommandResult result) {
      assertThat(result.getItemsList()).hasSameSizeAs(decisions);
      for (int i = 0; i < decisions.size(); i++) {
        SlotDecision d = decisions.get(i);
        ItemResult item = result.getItems(i);
        if (item.getCode() == ResultCode.DUPLICATE_SLOT) {
          duplicates++;
        }
        if (d.getFire() && item.getCode() == ResultCode.OK) {
          accept(at, command, d.getJob(), Times.toInstant(d.getSlot()), item);
        }
        if (!d.getFire() && item.getCode() == ResultCode.OK) {
          // A skip planned before the cursor moved records only what is still open: recounted.
          boolean recounted =
              store.skipped(d.getJob(), Integer.MAX_VALUE).stream()
                  .anyMatch(k -> k.getThrough().equals(d.getSlot()) && k.getCount() < d.getSkippedCount());
          if (recounted) {
            staleSkips++;
          }
        }
      }
    }

    private void accept(long at, Command command, String job, Instant slot, ItemResult item) {
      Job current = store.job(job).orElseThrow();
      assertThat(Schedules.of(current.getSpec()).isSlot(slot)).isTrue();
      assertThat(slot).isBeforeOrEqualTo(Times.toInstant(command.getLeaderTime()));
      assertThat(accepted.get(job).add(slot))
          .as("slot %s of %s accepted a second time at entry %d", slot, job, at)
          .isTrue();
      assertThat(item.getRun().getFireIndex()).isEqualTo(at);
    }

    void run(Step step) {
      // Java 17: no pattern matching in switch yet.
      if (step instanceof Advance a) {
        clock = clock.plusMillis(a.millis());
      } else if (step instanceof Plan p) {
        maxFires = p.maxFires();
        plan().ifPresent(pending::add);
      } else if (step instanceof Commit c) {
        if (!pending.isEmpty()) {
          int i = c.pick() % pending.size();
          commit(c.again() ? pending.get(i) : pending.remove(i));
        }
      } else if (step instanceof Lose l) {
        if (!pending.isEmpty()) {
          pending.remove(l.pick() % pending.size());
        }
      } else if (step instanceof Repropose r) {
        if (!pending.isEmpty()) {
          pending.add(pending.get(r.pick() % pending.size()));
        }
      } else if (step instanceof NewLeader n) {
        leader = new Leader("n" + (leader.term() % 3 + 1), leader.term() + 1, n.skewMillis());
      } else if (step instanceof Restart r) {
        restart(r.fromSnapshot());
      } else if (step instanceof Pause p) {
        pending.add(stamp(Command.newBuilder()
            .setPauseJob(PauseJob.newBuilder().setName(JOBS.get(p.job()).getName()))));
      } else if (step instanceof Resume r) {
        pending.add(resume(JOBS.get(r.job()).getName()));
      } else if (step instanceof Trigger t) {
        pending.add(stamp(Command.newBuilder()
            .setTriggerJob(TriggerJob.newBuilder()
                .setName(JOBS.get(t.job()).getName())
                .setRequestId(t.requestId() == 0 ? "" : "request-" + t.requestId()))));
      } else if (step instanceof Backfill b) {
        backfill(JOBS.get(b.job()).getName(), b.seconds()).ifPresent(pending::add);
      } else {
        throw new IllegalArgumentException("unknown step " + step);
      }
    }

    /** What the current leader proposes now, planned from the committed state only. */
    private Optional<Command> plan() {
      FireSlots.Builder fire = FireSlots.newBuilder();
      for (Job job : store.jobs()) {
        fire.addAllDecisions(FirePlanner.plan(job, leaderNow(), maxFires).decisions());
      }
      return fire.getDecisionsCount() == 0
          ? Optional.empty()
          : Optional.of(stamp(Command.newBuilder().setFireSlots(fire)));
    }

    /** A resume as the leader's JobService proposes it: planned from the committed state. */
    private Command resume(String name) {
      ResumeJob.Builder resume = ResumeJob.newBuilder().setName(name);
      store.job(name).filter(Job::getPaused).ifPresent(job ->
          resume.addAllDecisions(FirePlanner.planResume(job, leaderNow(), maxFires).decisions()));
      return stamp(Command.newBuilder().setResumeJob(resume));
    }

    /** A backfill of the last {@code seconds}, listing the slots at or before the job's cursor. */
    private Optional<Command> backfill(String name, int seconds) {
      Job job = store.job(name).orElseThrow();
      Schedule schedule = Schedules.of(job.getSpec());
      Instant last = Times.toInstant(job.getCursor());
      BackfillJob.Builder backfill = BackfillJob.newBuilder().setName(name);
      for (Optional<Instant> s = schedule.nextAfter(leaderNow().minusSeconds(seconds));
          s.isPresent() && !s.get().isAfter(last);
          s = schedule.nextAfter(s.get())) {
        backfill.addSlots(Times.toTimestamp(s.get()));
      }
      return backfill.getSlotsCount() == 0
          ? Optional.empty()
          : Optional.of(stamp(Command.newBuilder().setBackfillJob(backfill)));
    }

    private void restart(boolean fromSnapshot) {
      restarts++;
      long before = store.appliedIndex();
      if (fromSnapshot) {
        Path snapshot = root.resolve("snapshot-" + (++generation));
        try {
          Files.createDirectories(snapshot);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        sm.saveSnapshot(snapshot);
        store.close();
        storeDir = root.resolve("store-" + generation);
        store = SchedulerStore.open(storeDir);
        sm = new SchedulerStateMachine(store, this::record);
        sm.loadSnapshot(snapshot, before);
      } else {
        store.close();
        store = SchedulerStore.open(storeDir);
        sm = new SchedulerStateMachine(store, this::record);
      }
      assertThat(store.appliedIndex()).isEqualTo(before).isEqualTo(index);
    }

    /**
     * The end of a try: whatever is still pending commits (oldest last, the worst order), the
     * clock moves on, and the current leader plans and applies until nothing is due.
     */
    void catchUp() {
      for (int i = pending.size() - 1; i >= 0; i--) {
        commit(pending.get(i));
      }
      pending.clear();
      for (Job job : store.jobs()) {
        if (job.getPaused()) {
          commit(resume(job.getSpec().getName()));
        }
      }
      clock = clock.plusMillis(1500);
      for (int round = 0; ; round++) {
        assertThat(round).as("the leader never caught up").isLessThan(1000);
        Optional<Command> plan = plan();
        if (plan.isEmpty()) {
          break;
        }
        commit(plan.get());
      }
    }

    void checkInvariants() {
      for (Job job : store.jobs()) {
        String name = job.getSpec().getName();
        Instant cursor = Times.toInstant(job.getCursor());
        Instant previous = lastCursor.put(name, cursor);
        if (previous != null) {
          assertThat(cursor).as("cursor of %s", name).isAfterOrEqualTo(previous);
        }
        List<Run> all = store.runs(name, Integer.MAX_VALUE);
        List<Run> runs = all.stream().filter(r -> r.getOrigin() != RunOrigin.MANUAL).toList();
        TreeSet<Instant> slots = new TreeSet<>();
        TreeSet<Instant> scheduled = new TreeSet<>();
        for (Run run : runs) {
          assertThat(slots.add(Times.toInstant(run.getSlot()))).isTrue();
          assertThat(run.getRunId()).isEqualTo(RunIds.of(name, Times.toInstant(run.getSlot())));
          if (run.getOrigin() == RunOrigin.SCHEDULED) {
            scheduled.add(Times.toInstant(run.getSlot()));
          }
        }
        // The store holds exactly the fires the applier accepted: none twice, none lost.
        assertThat(slots).as("runs of %s", name).isEqualTo(new TreeSet<>(accepted.get(name)));
        assertThat(job.getFiredCount()).isEqualTo(runs.size());
        // Manual runs: exactly those the triggers answered, one per request id.
        assertThat(all.stream().filter(r -> r.getOrigin() == RunOrigin.MANUAL).map(Run::getRunId))
            .as("manual runs of %s", name)
            .containsExactlyInAnyOrderElementsOf(manual.get(name));

        // Each accepted slot was checked against the schedule when it was accepted (record).
        Schedule schedule = Schedules.of(job.getSpec());
        Instant created = Times.toInstant(job.getCreatedAt());
        if (!scheduled.isEmpty()) {
          assertThat(scheduled.first()).isAfter(created);
        }
        if (!slots.isEmpty()) {
          assertThat(slots.last()).isBeforeOrEqualTo(cursor);
        }
        long skippedTotal = 0;
        for (SkippedSlots skipped : store.skipped(name, Integer.MAX_VALUE)) {
          Instant after = Times.toInstant(skipped.getAfter());
          Instant through = Times.toInstant(skipped.getThrough());
          assertThat(skipped.getCount())
              .as("count of skipped range (%s, %s] of %s", after, through, name)
              .isEqualTo(schedule.countSlots(after, through, Long.MAX_VALUE));
          // A skipped slot has no scheduled run (a backfill may fire it later).
          assertThat(scheduled).noneMatch(s -> s.isAfter(after) && !s.isAfter(through));
          skippedTotal += skipped.getCount();
        }
        assertThat(job.getSkippedCount()).isEqualTo(skippedTotal);
      }
    }

    void checkEverySlotIsAccountedFor() {
      assertThat(store.jobs()).hasSize(JOBS.size());
      for (Job job : store.jobs()) {
        String name = job.getSpec().getName();
        Schedule schedule = Schedules.of(job.getSpec());
        Instant cursor = Times.toInstant(job.getCursor());
        assertThat(schedule.nextAfter(cursor).orElseThrow())
            .as("next slot of %s after catching up", name)
            .isAfter(leaderNow());
        List<SkippedSlots> skipped = store.skipped(name, Integer.MAX_VALUE);
        Set<Instant> runs = accepted.get(name);
        if (NEVER_SKIPS.contains(name)) {
          assertThat(skipped).as("skipped ranges of fire-all job %s", name).isEmpty();
        }
        for (Optional<Instant> s = schedule.nextAfter(Times.toInstant(job.getCreatedAt()));
            s.isPresent() && !s.get().isAfter(cursor);
            s = schedule.nextAfter(s.get())) {
          Instant slot = s.get();
          boolean skippedSlot =
              skipped.stream()
                  .anyMatch(
                      k ->
                          slot.isAfter(Times.toInstant(k.getAfter()))
                              && !slot.isAfter(Times.toInstant(k.getThrough())));
          assertThat(runs.contains(slot) || skippedSlot)
              .as("slot %s of %s neither ran nor was skipped", slot, name)
              .isTrue();
        }
      }
    }

    @Override
    public void close() {
      store.close();
    }
  }

  private static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
