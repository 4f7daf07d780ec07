package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.DeleteJob;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SlotDecision;
import io.raftcron.raft.LeadershipLostException;
import java.time.Duration;
import io.raftcron.sm.planner.FirePlanner;
import io.raftcron.sm.store.StoreBatch;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The leader's firing loop against a real store and applier (standing in for the Raft log): a
 * schedule rebuilt in several slices fires every due slot once, and changes committed between
 * two slices are honoured; a plan prepared ahead of a slot is used only where planning at the slot
 * would decide the same.
 */
class FireSchedulerTest extends LeaderLoopTest {
  /** More than one slice of the rebuild reads (2 ms: some hundreds of jobs). */
  private static final int JOBS = 10_007;

  /** The number of slot decisions in each FireSlots entry the loop proposed. */
  private final List<Integer> fireEntries = new CopyOnWriteArrayList<>();

  private void create(String name) {
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec(name, "* * * * * *")).setCreate(true)));
  }

  private static JobSpec.Builder spec(String name, String schedule) {
    return JobSpec.newBuilder()
        .setName(name)
        .setSchedule(schedule)
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")));
  }

  private FireScheduler recordingFireScheduler() {
    return new FireScheduler(term(command -> {
      if (command.hasFireSlots()) {
        fireEntries.add(command.getFireSlots().getDecisionsCount());
      }
    }));
  }

  /** Replaces an existing job's spec (as an update from the API: at its current version). */
  private void update(JobSpec.Builder spec) {
    long version = store.job(spec.getName()).orElseThrow().getVersion();
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec).setExpectedVersion(version)));
  }

  /**
   * A loop whose proposals are applied at once; each command it serialized ahead is first shown to
   * {@code fails}, and fails instead of being applied where that answers true.
   */
  private FireScheduler fireScheduler(Predicate<PreparedCommand> fails) {
    return fireScheduler(fails, new IllegalStateException("the proposal timed out"));
  }

  /** As {@link #fireScheduler(Predicate)}, the failed proposals failing with {@code failure}. */
  private FireScheduler fireScheduler(Predicate<PreparedCommand> fails, RuntimeException failure) {
    return new FireScheduler(term(new CommandLog() {
      @Override
      public CompletableFuture<CommandResult> propose(long term, Command.Builder command) {
        return CompletableFuture.completedFuture(apply(command));
      }

      @Override
      public CompletableFuture<CommandResult> propose(long term, PreparedCommand command) {
        return fails.test(command)
            ? CompletableFuture.failedFuture(failure)
            : propose(term, command.command().toBuilder());
      }
    }));
  }

  /** Two jobs planned ahead of their first slot, then the slot: waits until {@code fires} proposed their burst. */
  private void proposeTheFirstBurst(FireScheduler fires, AtomicInteger proposals) {
    create("a-job");
    create("b-job");
    now = T0.plus(Duration.ofMillis(900));
    startAndAwaitPrepared(fires, 2);
    now = T0.plusSeconds(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> proposals.get() == 1);
  }

  /** Starts {@code fires} at {@code now} and waits until it has planned {@code jobs} jobs ahead of their slot. */
  private void startAndAwaitPrepared(FireScheduler fires, int jobs) {
    executor.execute(fires::start);
    await().atMost(Duration.ofSeconds(10)).until(() -> onExecutor(fires::preparedJobs) == jobs);
  }

  private <T> T onExecutor(Callable<T> task) throws Exception {
    return executor.submit(task).get();
  }

  private static String name(int i) {
    return String.format("job-%06d", i);
  }

  private boolean ran(String job, Instant slot) {
    return store.run(job, slot).isPresent();
  }

  private int decisions() {
    return fireEntries.stream().mapToInt(Integer::intValue).sum();
  }

  @Test
  void aScheduleRebuiltInSlicesFiresEveryDueSlotOnceAndSeesChangesBetweenSlices() {
    IntStream.range(0, JOBS).forEach(i -> create(name(i)));
    now = T0.plusSeconds(1);
    FireScheduler fires = recordingFireScheduler();
    String deleted = name(JOBS - 1); // in the last slice
    String created = "zz-created";

    CompletableFuture<Integer> trackedBetweenSlices = new CompletableFuture<>();
    executor.execute(() -> {
      fires.start(); // queues the rebuild's first slice
      // Queued behind the first slice and ahead of the next: committed while the rebuild is under way.
      executor.execute(() -> {
        trackedBetweenSlices.complete(fires.trackedJobs());
        apply(Command.newBuilder().setDeleteJob(DeleteJob.newBuilder().setName(deleted)));
        fires.jobChanged(deleted);
        create(created);
        fires.jobChanged(created);
      });
    });

    assertThat(trackedBetweenSlices.join()).as("jobs tracked when the task queued after the first slice ran")
        .isBetween(FireScheduler.REBUILD_PAGE, JOBS - 1);
    Instant first = T0.plusSeconds(1);
    // Due slots of equal time leave the queue in any order: wait for the count.
    await().atMost(Duration.ofSeconds(60)).until(() -> decisions() >= JOBS - 1);
    assertThat(IntStream.range(0, JOBS - 1).mapToObj(FireSchedulerTest::name).filter(job -> !ran(job, first)))
        .as("jobs whose slot %s did not fire", first)
        .isEmpty();
    assertThat(ran(deleted, first)).as("the job deleted between two slices").isFalse();
    assertThat(fireEntries).allSatisfy(n -> assertThat(n).isBetween(1, FireScheduler.MAX_DECISIONS_PER_ENTRY));
    assertThat(decisions()).as("decisions, one per job").isEqualTo(JOBS - 1);

    // The next second: every live job fires again, the one created mid-rebuild among them, once.
    now = T0.plusSeconds(2);
    Instant second = T0.plusSeconds(2);
    await().atMost(Duration.ofSeconds(60)).until(() -> decisions() >= 2 * (JOBS - 1) + 1);
    assertThat(decisions()).isEqualTo(2 * (JOBS - 1) + 1);
    assertThat(IntStream.range(0, JOBS - 1).mapToObj(FireSchedulerTest::name).filter(job -> !ran(job, second)))
        .isEmpty();
    assertThat(ran(created, second)).isTrue();
    assertThat(ran(deleted, second)).isFalse();
  }

  @Test
  void aJobChangedAfterItsPlanWasPreparedIsPlannedAgainAtItsSlot() throws Exception {
    create("keep");
    create("change");
    now = T0.plus(Duration.ofMillis(900)); // the next slot, T0 + 1 s, is less than PREPARE_AHEAD away
    FireScheduler fires = recordingFireScheduler();
    startAndAwaitPrepared(fires, 2);

    int preparedAfterChange = onExecutor(() -> {
      update(spec("change", "0/2 * * * * *"));
      fires.jobChanged("change");
      return fires.preparedJobs();
    });
    assertThat(preparedAfterChange).isEqualTo(1);

    now = T0.plusSeconds(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> ran("keep", T0.plusSeconds(1)));
    assertThat(ran("change", T0.plusSeconds(1))).as("an odd second, off the new schedule").isFalse();
    now = T0.plusSeconds(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> ran("change", T0.plusSeconds(2)));
  }

  @Test
  void theBurstPreparedAheadGoesOutAsPreparedUnlessAJobOfItChanged() throws Exception {
    List<PreparedCommand> proposed = new CopyOnWriteArrayList<>();
    FireScheduler fires = fireScheduler(command -> {
      proposed.add(command);
      return false;
    });
    create("b-job");
    create("a-job");
    create("change");
    now = T0.plus(Duration.ofMillis(900));
    startAndAwaitPrepared(fires, 3);
    List<PreparedCommand> entries = onExecutor(fires::preparedEntries);
    assertThat(entries).hasSize(1);
    PreparedCommand ready = entries.get(0);
    assertThat(ready.command().getFireSlots().getDecisionsList()).extracting(SlotDecision::getJob)
        .as("in job order").containsExactly("a-job", "b-job", "change");

    now = T0.plusSeconds(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> proposed.size() == 1);
    assertThat(proposed.get(0)).as("the entry serialized ahead").isSameAs(ready);

    now = T0.plus(Duration.ofMillis(1900));
    await().atMost(Duration.ofSeconds(10)).until(() -> !onExecutor(fires::preparedEntries).isEmpty());
    PreparedCommand stale = onExecutor(fires::preparedEntries).get(0);
    boolean standsAfterChange = onExecutor(() -> {
      update(spec("change", "0/5 * * * * *"));
      fires.jobChanged("change");
      return !fires.preparedEntries().isEmpty();
    });
    assertThat(standsAfterChange).as("the entry holding a changed job").isFalse();
    now = T0.plusSeconds(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> proposed.size() == 2);
    assertThat(proposed.get(1)).isNotSameAs(stale);
    assertThat(proposed.get(1).command().getFireSlots().getDecisionsList()).extracting(SlotDecision::getJob)
        .containsExactly("a-job", "b-job");
  }

  @Test
  void aBurstLargerThanAnEntryIsPreparedAsSeveralEntriesThatGoOutAsPrepared() throws Exception {
    int jobs = FireScheduler.MAX_DECISIONS_PER_ENTRY + 7;
    IntStream.range(0, jobs).forEach(i -> create(name(i)));
    List<PreparedCommand> proposed = new CopyOnWriteArrayList<>();
    FireScheduler fires = fireScheduler(command -> {
      proposed.add(command);
      return false;
    });
    now = T0.plus(Duration.ofMillis(500)); // the rebuild first: the next slot is more than PREPARE_AHEAD away
    executor.execute(fires::start);
    await().atMost(Duration.ofSeconds(10)).until(() -> onExecutor(fires::trackedJobs) == jobs);
    now = T0.plus(Duration.ofMillis(900));
    await().atMost(Duration.ofSeconds(10)).until(() -> onExecutor(fires::preparedEntries).size() == 2);
    assertThat(onExecutor(fires::preparedJobs)).isEqualTo(jobs);
    List<PreparedCommand> entries = onExecutor(fires::preparedEntries);
    assertThat(entries).extracting(entry -> entry.command().getFireSlots().getDecisionsCount())
        .containsExactly(FireScheduler.MAX_DECISIONS_PER_ENTRY, 7);
    assertThat(entries).allSatisfy(entry -> assertThat(entry.command().getFireSlots().getDecisionsList())
        .extracting(SlotDecision::getJob).as("in job order").isSorted());
    assertThat(entries.stream().flatMap(entry -> entry.command().getFireSlots().getDecisionsList().stream())
        .map(SlotDecision::getJob)).as("every job once").containsExactlyInAnyOrderElementsOf(
            IntStream.range(0, jobs).mapToObj(FireSchedulerTest::name).toList());

    now = T0.plusSeconds(1);
    await().atMost(Duration.ofSeconds(30)).until(() -> proposed.size() >= 2);
    onExecutor(() -> null); // the wake that proposed has finished: a third entry would be in by now
    assertThat(proposed).as("the entries serialized ahead, and nothing else").hasSize(2)
        .allSatisfy(command -> assertThat(entries).anyMatch(entry -> entry == command));
    await().atMost(Duration.ofSeconds(30))
        .until(() -> IntStream.range(0, jobs).allMatch(i -> ran(name(i), T0.plusSeconds(1))));
  }

  @Test
  void aChangeToAJobOutsideThePreparedBurstLeavesItStanding() throws Exception {
    create("a-job");
    create("b-job");
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec("minutely", "0 * * * * *")).setCreate(true)));
    now = T0.plus(Duration.ofMillis(900));
    FireScheduler fires = recordingFireScheduler();
    startAndAwaitPrepared(fires, 2);
    PreparedCommand ready = onExecutor(fires::preparedEntries).get(0);

    boolean stands = onExecutor(() -> {
      update(spec("minutely", "30 * * * * *"));
      fires.jobChanged("minutely");
      create("c-job"); // due at the burst's slot, but not planned with it
      fires.jobChanged("c-job");
      return fires.preparedEntries().stream().anyMatch(entry -> entry == ready);
    });
    assertThat(stands).as("the entry after changes to jobs outside it").isTrue();

    now = T0.plusSeconds(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> ran("c-job", T0.plusSeconds(1)));
    onExecutor(() -> null);
    assertThat(fireEntries).as("the prepared burst, then the job due besides it").containsExactly(2, 1);
  }

  @Test
  void aJobChangedWithoutMovingItsNextSlotIsPreparedAndDecidedOnce() throws Exception {
    create("a-job");
    create("b-job");
    now = T0.plus(Duration.ofMillis(500)); // the next slot is more than PREPARE_AHEAD away
    FireScheduler fires = recordingFireScheduler();
    executor.execute(fires::start);
    await().atMost(Duration.ofSeconds(10)).until(() -> onExecutor(fires::trackedJobs) == 2);
    onExecutor(() -> {
      update(spec("a-job", "* * * * * *").setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(30)));
      fires.jobChanged("a-job"); // its next slot, tracked again, stays T0 + 1 s
      return null;
    });

    now = T0.plus(Duration.ofMillis(900));
    await().atMost(Duration.ofSeconds(10)).until(() -> onExecutor(fires::preparedJobs) == 2);
    now = T0.plusSeconds(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> !fireEntries.isEmpty());
    onExecutor(() -> null); // the wake that proposed has finished: a second entry would be in by now
    assertThat(fireEntries).as("decisions per entry: one entry, one decision per job").containsExactly(2);
  }

  @Test
  void aPreparedBurstIsNotUsedOnceALaterSlotOfAnyOfItsJobsIsDue() {
    now = T0.plus(Duration.ofMillis(1500)); // created after T0 + 1 s: both first due at T0 + 2 s
    create("every-second");
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec("even", "0/2 * * * * *")).setCreate(true)));
    now = T0.plus(Duration.ofMillis(1900)); // both due at T0 + 2 s; every-second next at T0 + 3 s, even at T0 + 4 s
    FireScheduler fires = recordingFireScheduler();
    startAndAwaitPrepared(fires, 2);

    now = T0.plusSeconds(3); // a late wake: every-second's next slot is due too
    await().atMost(Duration.ofSeconds(10)).until(() -> !fireEntries.isEmpty());
    assertThat(fireEntries.get(0)).as("decisions in the first entry").isEqualTo(3);
    assertThat(ran("every-second", T0.plusSeconds(3))).isTrue();
  }

  @Test
  void aJobWrittenWhileItsFireIsInFlightIsReadAgainWhenTheFireCompletes() throws Exception {
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec("tens", "0/10 * * * * *")).setCreate(true)));
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec("steady", "0/10 * * * * *")).setCreate(true)));
    // Every entry is applied when proposed; the first fire entry's proposal completes when the test says.
    CompletableFuture<Runnable> completeFirst = new CompletableFuture<>();
    FireScheduler fires = new FireScheduler(term((term, command) -> {
      CommandResult result = apply(command);
      if (!command.hasFireSlots() || completeFirst.isDone()) {
        return CompletableFuture.completedFuture(result);
      }
      CompletableFuture<CommandResult> first = new CompletableFuture<>();
      completeFirst.complete(() -> first.complete(result));
      return first;
    }));
    now = T0.plusSeconds(10);
    executor.execute(fires::start);
    Runnable complete = completeFirst.get(10, TimeUnit.SECONDS);
    assertThat(ran("tens", T0.plusSeconds(10)) && ran("steady", T0.plusSeconds(10))).isTrue();

    // While that entry is in flight: "tens" is rewritten to fire every second (committed after
    // the entry was planned), and the entry itself is applied (as the leader's session hears it).
    onExecutor(() -> {
      update(spec("tens", "* * * * * *"));
      fires.jobChanged("tens");
      fires.fired("tens");
      fires.fired("steady");
      return null;
    });
    complete.run();
    for (int s = 11; s <= 12; s++) {
      now = T0.plusSeconds(s);
      Instant slot = now;
      await().atMost(Duration.ofSeconds(10)).until(() -> ran("tens", slot));
    }
    now = T0.plusSeconds(20); // "steady", untouched, is back in the schedule at its next slot
    await().atMost(Duration.ofSeconds(10)).until(() -> ran("steady", T0.plusSeconds(20)));
  }

  @Test
  void aRebuildWhoseReadFailsIsTriedAgainUntilItReadsTheJobs() throws Exception {
    IntStream.range(0, 3).forEach(i -> create(name(i)));
    Path checkpoint = dir.resolve("checkpoint");
    store.checkpoint(checkpoint);
    store.close(); // every read fails until a snapshot install opens the store again

    FireScheduler fires = recordingFireScheduler();
    executor.execute(fires::start);
    onExecutor(() -> null); // queued behind start, which queued the rebuild's first slice
    assertThat(onExecutor(fires::trackedJobs)).as("after the failed read").isZero();

    store.replaceWith(checkpoint);
    await().atMost(Duration.ofSeconds(10)).until(() -> onExecutor(fires::trackedJobs) == 3);
  }

  @Test
  void theJobsOfAFailedBurstFireAtTheRetry() {
    AtomicInteger proposals = new AtomicInteger();
    FireScheduler fires = fireScheduler(command -> proposals.getAndIncrement() == 0);
    proposeTheFirstBurst(fires, proposals);
    // The failure handled: both jobs back in the schedule, at the retry.
    await().atMost(Duration.ofSeconds(10)).until(() -> onExecutor(fires::trackedJobs) == 2);
    assertThat(ran("a-job", T0.plusSeconds(1)) || ran("b-job", T0.plusSeconds(1))).as("fired again before the retry back-off").isFalse();
    now = T0.plus(Duration.ofMillis(1300)); // past the retry back-off
    await().atMost(Duration.ofSeconds(10)).until(() -> ran("a-job", T0.plusSeconds(1)) && ran("b-job", T0.plusSeconds(1)));
    now = T0.plusSeconds(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> ran("a-job", T0.plusSeconds(2)) && ran("b-job", T0.plusSeconds(2)));
  }

  @Test
  void theJobsOfABurstInFlightAtAStepDownAreLeftToTheNextLeader() throws Exception {
    AtomicInteger proposals = new AtomicInteger();
    FireScheduler fires = fireScheduler(
        command -> proposals.getAndIncrement() == 0, new LeadershipLostException("Status[EPERM<1>: Leader stepped down]"));
    proposeTheFirstBurst(fires, proposals);
    onExecutor(() -> null); // queued behind the proposing task, which queued the failure's handling
    // The term is over, so neither job went back into the schedule (a failure that may be retried puts both back).
    assertThat(onExecutor(fires::trackedJobs)).isZero();
  }

  @Test
  void aPreparedPlanIsNotUsedOnceALaterSlotIsDue() {
    create("keep");
    now = T0.plus(Duration.ofMillis(900));
    FireScheduler fires = recordingFireScheduler();
    startAndAwaitPrepared(fires, 1);

    now = T0.plusSeconds(3); // the leader woke late: three slots are due, not the one prepared
    await().atMost(Duration.ofSeconds(10)).until(() -> !fireEntries.isEmpty());
    assertThat(fireEntries.get(0)).as("decisions in the first entry").isEqualTo(3);
    assertThat(IntStream.rangeClosed(1, 3).mapToObj(T0::plusSeconds).allMatch(slot -> ran("keep", slot))).isTrue();
  }

  @Test
  void aPreparedPlanIsNotUsedOnceItsSlotIsMissed() {
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder()
        .setSpec(spec("minutely", "0 * * * * *").setMisfire(MisfirePolicy.SKIP)).setCreate(true)));
    Instant slot = T0.plusSeconds(60);
    now = slot.minus(Duration.ofMillis(100));
    FireScheduler fires = recordingFireScheduler();
    startAndAwaitPrepared(fires, 1);

    now = slot.plus(FirePlanner.MISFIRE_THRESHOLD).plusSeconds(1); // prepared on time, decided past the threshold
    await().atMost(Duration.ofSeconds(10)).until(() -> !fireEntries.isEmpty());
    assertThat(ran("minutely", slot)).as("a missed slot of a skip-policy job").isFalse();
    assertThat(store.skipped("minutely", 1)).singleElement()
        .satisfies(skip -> assertThat(skip.getReason()).startsWith("missed"));
  }

  @Test
  void aJobThisNodeCannotPlanIsTriedAgainLaterAndTheOthersFire() throws Exception {
    create("a-unreadable");
    create("b-job");
    create("c-job");
    // As if stored under a time-zone database that knew the zone: planning it throws on this node.
    Job stored = store.job("a-unreadable").orElseThrow();
    StoreBatch batch = store.batch();
    batch.putJob(stored.toBuilder().setSpec(stored.getSpec().toBuilder().setTimeZone("Mars/Olympus_Mons")).build());
    store.commit(batch, store.appliedIndex());
    now = T0.plusSeconds(1);
    FireScheduler fires = recordingFireScheduler();

    executor.execute(fires::start);

    await().atMost(Duration.ofSeconds(10)).until(() -> ran("b-job", T0.plusSeconds(1)) && ran("c-job", T0.plusSeconds(1)));
    now = T0.plusSeconds(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> ran("b-job", T0.plusSeconds(2)) && ran("c-job", T0.plusSeconds(2)));
    assertThat(ran("a-unreadable", T0.plusSeconds(1))).isFalse();
    assertThat(onExecutor(fires::trackedJobs)).as("the unreadable job stays scheduled, to be tried again").isEqualTo(3);
  }
}
