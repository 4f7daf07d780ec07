package io.raftcron.sm;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.planner.FirePlanner;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterTry;
import net.jqwik.api.lifecycle.BeforeTry;
import org.apache.commons.io.FileUtils;

/**
 * Jobs deleted and re-created under the same name by leaders whose clocks disagree (so a new job
 * may start behind the runs of the old one), among planned fires committed late, twice or never
 * and manual triggers. A slot of a name is fired at most once across all its jobs, and no
 * scheduled run stored under its name lies after both a job's cursor and the runs it inherited:
 * the invariant that lets a fire skip looking for an existing run there.
 */
class RecreatedJobPropertiesTest {
  private static final Instant START = Instant.parse("2026-03-01T10:00:00.250Z");
  private static final List<JobSpec> JOBS = List.of(
      TestCommands.spec("tick", "* * * * * *", MisfirePolicy.FIRE_ALL),
      TestCommands.spec("pair", "@every 2s", MisfirePolicy.SKIP));

  sealed interface Step {}

  record Advance(int millis) implements Step {}

  record Plan(int maxFires) implements Step {}

  record Commit(int pick, boolean again) implements Step {}

  record NewLeader(int skewMillis) implements Step {}

  /** A leader whose clock is {@code behindMillis} behind the current one's deletes and re-creates a job. */
  record Recreate(int job, int behindMillis) implements Step {}

  record Trigger(int job) implements Step {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<Integer> job = Arbitraries.integers().between(0, JOBS.size() - 1);
    Arbitrary<Step> step = Arbitraries.frequencyOf(
        Tuple.of(25, Arbitraries.integers().between(0, 3000).map(Advance::new)),
        Tuple.of(25, Arbitraries.integers().between(1, 10).map(Plan::new)),
        Tuple.of(30, Combinators.combine(Arbitraries.integers().between(0, 100), Arbitraries.of(false, true))
            .as(Commit::new)),
        Tuple.of(10, Arbitraries.integers().between(-3000, 3000).map(NewLeader::new)),
        Tuple.of(8, Combinators.combine(job, Arbitraries.integers().between(0, 6000)).as(Recreate::new)),
        Tuple.of(2, job.map(Trigger::new)));
    return step.list().ofMinSize(10).ofMaxSize(60);
  }

  private Path dir;
  private SchedulerStore store;
  private SchedulerStateMachine sm;
  private long index;
  private Instant clock;
  private long skewMillis;
  private final List<Command> pending = new ArrayList<>();
  /** Every (job name, slot) a fire was accepted for, over all the jobs of that name. */
  private final Set<String> fired = new HashSet<>();
  private boolean recreatedBehindRuns;

  @BeforeTry
  void open() throws Exception {
    dir = java.nio.file.Files.createTempDirectory("raftcron-recreated");
    store = SchedulerStore.open(dir.resolve("store"));
    sm = new SchedulerStateMachine(store, this::record);
    index = 0;
    clock = START;
    skewMillis = 0;
    pending.clear();
    fired.clear();
    recreatedBehindRuns = false;
    JOBS.forEach(spec -> assertThat(commit(TestCommands.create(leaderNow(), spec)).getCode()).isEqualTo(ResultCode.OK));
  }

  @AfterTry
  void close() throws Exception {
    store.close();
    FileUtils.deleteDirectory(dir.toFile());
  }

  @Property(tries = 150, seed = "20260302")
  void noSlotOfANameFiresTwiceAndNoRunOfItsNameIsPastWhatAJobKnows(@ForAll("steps") List<Step> steps) {
    for (Step step : steps) {
      run(step);
      checkNoRunIsPastWhatItsJobKnows();
    }
    for (int i = pending.size() - 1; i >= 0; i--) {
      commit(pending.get(i)); // what is still in flight, the oldest last
      checkNoRunIsPastWhatItsJobKnows();
    }
    Statistics.label("re-created behind its runs").collect(recreatedBehindRuns);
    Statistics.label("re-created behind its runs").coverage(c -> c.check(true).percentage(p -> p > 10));
  }

  private Instant leaderNow() {
    return clock.plusMillis(skewMillis);
  }

  private CommandResult commit(Command command) {
    return sm.apply(++index, command.toByteArray());
  }

  private void run(Step step) {
    if (step instanceof Advance a) {
      clock = clock.plusMillis(a.millis());
    } else if (step instanceof Plan p) {
      FireSlots.Builder fire = FireSlots.newBuilder();
      store.jobs().forEach(job -> fire.addAllDecisions(FirePlanner.plan(job, leaderNow(), p.maxFires()).decisions()));
      if (fire.getDecisionsCount() > 0) {
        pending.add(TestCommands.stamped(leaderNow()).setFireSlots(fire).build());
      }
    } else if (step instanceof Commit c) {
      if (!pending.isEmpty()) {
        int i = c.pick() % pending.size();
        commit(c.again() ? pending.get(i) : pending.remove(i));
      }
    } else if (step instanceof NewLeader n) {
      skewMillis = n.skewMillis();
    } else if (step instanceof Recreate r) {
      JobSpec spec = JOBS.get(r.job());
      Instant at = leaderNow().minusMillis(r.behindMillis());
      Optional<Instant> newestRun = store.nthNewestRunSlot(spec.getName(), 1);
      recreatedBehindRuns |= newestRun.isPresent() && newestRun.get().isAfter(at);
      assertThat(commit(TestCommands.delete(at, spec.getName(), 0)).getCode()).isEqualTo(ResultCode.OK);
      assertThat(commit(TestCommands.create(at, spec)).getCode()).isEqualTo(ResultCode.OK);
    } else if (step instanceof Trigger t) {
      commit(TestCommands.trigger(leaderNow(), JOBS.get(t.job()).getName(), ""));
    }
  }

  private void record(long at, Command command, CommandResult result) {
    if (command.getOpCase() != Command.OpCase.FIRE_SLOTS) {
      return;
    }
    List<SlotDecision> decisions = command.getFireSlots().getDecisionsList();
    for (int i = 0; i < decisions.size(); i++) {
      SlotDecision d = decisions.get(i);
      ItemResult item = result.getItems(i);
      if (d.getFire() && item.getCode() == ResultCode.OK) {
        String slot = d.getJob() + "@" + Times.toInstant(d.getSlot());
        assertThat(fired.add(slot)).as("%s fired a second time at entry %d", slot, at).isTrue();
        assertThat(item.getRun().getFireIndex()).isEqualTo(at);
      }
    }
  }

  /** A fire reads no run after a job's cursor and inherited runs: there must be none. */
  private void checkNoRunIsPastWhatItsJobKnows() {
    for (Job job : store.jobs()) {
      Instant known = Times.toInstant(job.getCursor());
      if (job.hasInheritedRunsUntil() && Times.toInstant(job.getInheritedRunsUntil()).isAfter(known)) {
        known = Times.toInstant(job.getInheritedRunsUntil());
      }
      for (Run run : store.runs(job.getSpec().getName(), Integer.MAX_VALUE)) {
        if (run.getOrigin() != RunOrigin.MANUAL) {
          assertThat(Times.toInstant(run.getSlot())).as("run %s, cursor and inherited runs of its job", run.getRunId())
              .isBeforeOrEqualTo(known);
        }
      }
    }
  }
}
