package io.raftcron.sm.planner;

import static io.raftcron.sm.TestCommands.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.Times;
import io.raftcron.sm.planner.FirePlanner.Plan;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

/** What the leader proposes for a job at a given instant. The clock is a plain, settable Instant. */
class FirePlannerTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final int MAX_FIRES = 1000;

  private Instant now = T0;

  private static Job job(JobSpec spec, Instant cursor) {
    return Job.newBuilder()
        .setSpec(spec)
        .setVersion(1)
        .setCreatedAt(Times.toTimestamp(cursor))
        .setCursor(Times.toTimestamp(cursor))
        .build();
  }

  /** The job after its plan's decisions were applied: the cursor is at the last decided slot. */
  private static Job applied(Job job, Plan plan) {
    if (plan.decisions().isEmpty()) {
      return job;
    }
    SlotDecision last = plan.decisions().get(plan.decisions().size() - 1);
    return job.toBuilder().setCursor(last.getSlot()).build();
  }

  private static List<Instant> fired(Plan plan) {
    return plan.decisions().stream()
        .filter(SlotDecision::getFire)
        .map(d -> Times.toInstant(d.getSlot()))
        .toList();
  }

  private static List<SlotDecision> skips(Plan plan) {
    return plan.decisions().stream().filter(d -> !d.getFire()).toList();
  }

  /** T0 + each of the given seconds. */
  private static List<Instant> seconds(LongStream offsets) {
    return offsets.mapToObj(T0::plusSeconds).toList();
  }

  @Test
  void aSlotThatIsDueFiresOnTime() {
    Job job = job(spec("tens", "*/10 * * * * *"), T0);
    now = T0.plusSeconds(10).plusMillis(3);

    Plan plan = FirePlanner.plan(job, now, MAX_FIRES);

    assertThat(fired(plan)).containsExactly(T0.plusSeconds(10));
    assertThat(skips(plan)).isEmpty();
    assertThat(plan.nextDue()).contains(T0.plusSeconds(20));
  }

  @Test
  void aJobWhoseNextSlotIsInTheFutureGetsNoDecisionsAndIsDueAtThatSlot() {
    Job job = job(spec("tens", "*/10 * * * * *"), T0);
    now = T0.plusSeconds(9).plusMillis(999);

    Plan plan = FirePlanner.plan(job, now, MAX_FIRES);

    assertThat(plan.decisions()).isEmpty();
    assertThat(plan.nextDue()).contains(T0.plusSeconds(10));
  }

  @Test
  void theCreationInstantIsNotASlotOfTheJob() {
    Job job = job(spec("tens", "*/10 * * * * *"), T0); // T0 is a slot, but the cursor is there

    Plan plan = FirePlanner.plan(job, T0.plusSeconds(1), MAX_FIRES);

    assertThat(plan.decisions()).isEmpty();
    assertThat(plan.nextDue()).contains(T0.plusSeconds(10));
  }

  @Test
  void fireAllAfterATenMinuteOutageFiresEveryMissedSlot() {
    Job job = job(spec("tick", "* * * * * *", MisfirePolicy.FIRE_ALL), T0);
    now = T0.plusSeconds(600);

    Plan plan = FirePlanner.plan(job, now, MAX_FIRES);

    assertThat(fired(plan)).containsExactlyElementsOf(seconds(LongStream.rangeClosed(1, 600)));
    assertThat(skips(plan)).isEmpty();
    assertThat(plan.nextDue()).contains(T0.plusSeconds(601));
  }

  @Test
  void anUnspecifiedMisfirePolicyFiresAll() {
    Job job = job(spec("tick", "* * * * * *", MisfirePolicy.MISFIRE_POLICY_UNSPECIFIED), T0);

    Plan plan = FirePlanner.plan(job, T0.plusSeconds(600), MAX_FIRES);

    assertThat(fired(plan)).hasSize(600);
  }

  @Test
  void fireAllIsBoundedByMaxFiresAndTheNextPlanContinuesWhereItStopped() {
    Job job = job(spec("tick", "* * * * * *"), T0);
    now = T0.plusSeconds(600);

    Plan first = FirePlanner.plan(job, now, 100);

    assertThat(fired(first)).containsExactlyElementsOf(seconds(LongStream.rangeClosed(1, 100)));
    assertThat(first.nextDue()).contains(T0.plusSeconds(101)); // already due: plan again now

    List<Instant> all = new ArrayList<>(fired(first));
    job = applied(job, first);
    for (int round = 0; round < 10 && !job.getCursor().equals(Times.toTimestamp(now)); round++) {
      Plan next = FirePlanner.plan(job, now, 100);
      assertThat(next.decisions()).hasSizeLessThanOrEqualTo(100);
      all.addAll(fired(next));
      job = applied(job, next);
    }
    assertThat(all).containsExactlyElementsOf(seconds(LongStream.rangeClosed(1, 600)));
    assertThat(FirePlanner.plan(job, now, 100).decisions()).isEmpty();
  }

  @Test
  void fireAllAfterAnOutageLongerThanTheCatchUpWindowSkipsTheOlderSlotsInOneDecision() {
    // Default window: one hour; max-catchup raised so that the whole window fires.
    Job job = job(spec("tick", "* * * * * *").toBuilder().setMaxCatchup(10_000).build(), T0);
    now = T0.plusSeconds(7200);

    Plan plan = FirePlanner.plan(job, now, 10_000);

    assertThat(plan.decisions().get(0).getFire()).isFalse();
    assertThat(skips(plan)).singleElement().satisfies(skip -> {
      assertThat(skip.getJob()).isEqualTo("tick");
      assertThat(Times.toInstant(skip.getSlot())).isEqualTo(T0.plusSeconds(3600));
      assertThat(skip.getSkippedCount()).isEqualTo(3600);
      assertThat(skip.getSkipReason()).contains("catch-up window");
    });
    assertThat(fired(plan)).containsExactlyElementsOf(seconds(LongStream.rangeClosed(3601, 7200)));
    assertThat(plan.nextDue()).contains(T0.plusSeconds(7201));
  }

  @Test
  void aShortCatchUpWindowSkipsWhatIsOlderThanIt() {
    JobSpec spec =
        spec("minutely", "* * * * *").toBuilder()
            .setCatchupWindow(Duration.newBuilder().setSeconds(300))
            .build();
    Job job = job(spec, T0);
    now = T0.plusSeconds(30 * 60 + 20); // 10:30:20, cutoff 10:25:20

    Plan plan = FirePlanner.plan(job, now, MAX_FIRES);

    assertThat(skips(plan)).singleElement().satisfies(skip -> {
      assertThat(Times.toInstant(skip.getSlot())).isEqualTo(T0.plusSeconds(25 * 60));
      assertThat(skip.getSkippedCount()).isEqualTo(25);
    });
    assertThat(fired(plan))
        .containsExactlyElementsOf(seconds(LongStream.rangeClosed(26, 30).map(m -> m * 60)));
  }

  @Test
  void aCatchUpWindowShorterThanTheMisfireThresholdStillFiresOnTimeSlots() {
    JobSpec spec =
        spec("tick", "* * * * * *").toBuilder().setCatchupWindow(Duration.newBuilder()).build();
    Job job = job(spec, T0);

    Plan plan = FirePlanner.plan(job, T0.plusSeconds(3), MAX_FIRES);

    assertThat(skips(plan)).isEmpty();
    assertThat(fired(plan)).containsExactlyElementsOf(seconds(LongStream.rangeClosed(1, 3)));
  }

  @Test
  void skipAfterAnOutageSkipsTheMissedSlotsAndFiresOnlyTheOnTimeOnes() {
    Job job = job(spec("tick", "* * * * * *", MisfirePolicy.SKIP), T0);
    now = T0.plusSeconds(600);

    Plan plan = FirePlanner.plan(job, now, MAX_FIRES);

    // Missed: more than MISFIRE_THRESHOLD (5 s) late, i.e. at or before now - 5 s.
    assertThat(skips(plan)).singleElement().satisfies(skip -> {
      assertThat(Times.toInstant(skip.getSlot())).isEqualTo(T0.plusSeconds(595));
      assertThat(skip.getSkippedCount()).isEqualTo(595);
      assertThat(skip.getSkipReason()).contains("skip");
    });
    assertThat(fired(plan)).containsExactlyElementsOf(seconds(LongStream.rangeClosed(596, 600)));
    assertThat(plan.nextDue()).contains(T0.plusSeconds(601));
  }

  @Test
  void skipFiresASlotThatIsOnlySlightlyLate() {
    Job job = job(spec("tens", "*/10 * * * * *", MisfirePolicy.SKIP), T0);

    Plan plan = FirePlanner.plan(job, T0.plusSeconds(14), MAX_FIRES);

    assertThat(skips(plan)).isEmpty();
    assertThat(fired(plan)).containsExactly(T0.plusSeconds(10));
  }

  @Test
  void skipOfMoreSlotsThanOnePlanWalksLeavesTheRestForTheNextPlan() {
    Job job = job(spec("tick", "@every 1s", MisfirePolicy.SKIP), T0);
    long missed = FirePlanner.MAX_SKIPS_PER_PLAN + 500;
    now = T0.plusSeconds(missed + 5);

    Plan first = FirePlanner.plan(job, now, MAX_FIRES);

    assertThat(first.decisions()).singleElement().satisfies(skip -> {
      assertThat(skip.getFire()).isFalse();
      assertThat(skip.getSkippedCount()).isEqualTo(FirePlanner.MAX_SKIPS_PER_PLAN);
    });
    assertThat(first.nextDue()).hasValueSatisfying(due -> assertThat(due).isBefore(now));

    Plan second = FirePlanner.plan(applied(job, first), now, MAX_FIRES);

    assertThat(skips(second)).singleElement()
        .satisfies(skip -> assertThat(skip.getSkippedCount()).isEqualTo(500));
    assertThat(fired(second)).hasSize(5);
  }

  @Test
  void everyTwoSecondsFiresOnEvenEpochSecondsWhateverTheCreationInstant() {
    Job job = job(spec("pair", "@every 2s"), T0.plusSeconds(1).plusMillis(300));
    now = T0.plusSeconds(7);

    Plan plan = FirePlanner.plan(job, now, MAX_FIRES);

    assertThat(fired(plan)).containsExactly(T0.plusSeconds(2), T0.plusSeconds(4), T0.plusSeconds(6));
    assertThat(fired(plan)).allSatisfy(slot -> assertThat(slot.getEpochSecond() % 2).isZero());
    assertThat(plan.nextDue()).contains(T0.plusSeconds(8));
  }

  @Test
  void aCursorWithMillisecondsStillFiresTheNextWholeSecond() {
    Job job = job(spec("tick", "* * * * * *"), T0.plusMillis(300));

    Plan plan = FirePlanner.plan(job, T0.plusSeconds(1), MAX_FIRES);

    assertThat(fired(plan)).containsExactly(T0.plusSeconds(1));
  }

  // ---- fire-once and max-catchup ----

  @Test
  void fireOnceAfterAnOutageFiresTheLatestMissedSlotSkipsTheRestAndFiresOnTimeSlots() {
    Job job = job(spec("tick", "* * * * * *", MisfirePolicy.FIRE_ONCE), T0);
    now = T0.plusSeconds(600);

    Plan plan = FirePlanner.plan(job, now, MAX_FIRES);

    assertThat(skips(plan)).singleElement().satisfies(skip -> {
      assertThat(Times.toInstant(skip.getSlot())).isEqualTo(T0.plusSeconds(594));
      assertThat(skip.getSkippedCount()).isEqualTo(594);
      assertThat(skip.getSkipReason()).contains("fire-once");
    });
    assertThat(fired(plan)).containsExactlyElementsOf(seconds(LongStream.rangeClosed(595, 600)));
  }

  @Test
  void fireOnceOfADailyJobAfterAWeekDownFiresOnlyYesterdaysSlot() {
    Job job = job(spec("daily", "0 3 * * *", MisfirePolicy.FIRE_ONCE), T0);
    now = T0.plus(java.time.Duration.ofDays(7)); // 2026-03-08T10:00Z

    Plan plan = FirePlanner.plan(job, now, MAX_FIRES);

    assertThat(skips(plan)).singleElement().satisfies(skip -> {
      assertThat(skip.getSkippedCount()).isEqualTo(6);
      assertThat(Times.toInstant(skip.getSlot())).isEqualTo(Instant.parse("2026-03-07T03:00:00Z"));
    });
    assertThat(fired(plan)).containsExactly(Instant.parse("2026-03-08T03:00:00Z"));
    assertThat(plan.nextDue()).contains(Instant.parse("2026-03-09T03:00:00Z"));
  }

  @Test
  void fireOnceWithMoreMissedSlotsThanOnePlanWalksStillFiresExactlyOneOfThem() {
    Job job = job(spec("tick", "@every 1s", MisfirePolicy.FIRE_ONCE), T0);
    long missed = FirePlanner.MAX_SKIPS_PER_PLAN + 500;
    now = T0.plusSeconds(missed + 5);

    Plan first = FirePlanner.plan(job, now, MAX_FIRES);
    assertThat(fired(first)).isEmpty();
    assertThat(first.nextDue()).hasValueSatisfying(due -> assertThat(due).isBefore(now));
    Plan second = FirePlanner.plan(applied(job, first), now, MAX_FIRES);

    long skipped = skips(first).get(0).getSkippedCount() + skips(second).get(0).getSkippedCount();
    assertThat(skipped).isEqualTo(missed - 1);
    assertThat(fired(second)).containsExactlyElementsOf(seconds(LongStream.rangeClosed(missed, missed + 5)));
  }

  @Test
  void fireAllFiresAtMostMaxCatchupMissedSlotsTheLatestOnes() {
    Job job = job(spec("tick", "* * * * * *").toBuilder().setMaxCatchup(100).build(), T0);
    now = T0.plusSeconds(600);

    Plan plan = FirePlanner.plan(job, now, MAX_FIRES);

    assertThat(skips(plan)).singleElement().satisfies(skip -> {
      assertThat(Times.toInstant(skip.getSlot())).isEqualTo(T0.plusSeconds(495));
      assertThat(skip.getSkippedCount()).isEqualTo(495);
      assertThat(skip.getSkipReason()).contains("max-catchup (100");
    });
    // 100 missed slots (496..595) and the five on-time ones.
    assertThat(fired(plan)).containsExactlyElementsOf(seconds(LongStream.rangeClosed(496, 600)));
  }

  @Test
  void fireAllByDefaultSkipsOutsideTheWindowThenBeyondAThousandMissedSlots() {
    Job job = job(spec("tick", "* * * * * *"), T0);
    now = T0.plusSeconds(7200);

    Plan plan = FirePlanner.plan(job, now, 10_000);

    assertThat(skips(plan)).hasSize(2);
    assertThat(skips(plan).get(0).getSkippedCount()).isEqualTo(3600);
    assertThat(skips(plan).get(0).getSkipReason()).contains("catch-up window (1h)");
    assertThat(skips(plan).get(1).getSkippedCount()).isEqualTo(7195 - 3600 - 1000);
    assertThat(fired(plan)).containsExactlyElementsOf(seconds(LongStream.rangeClosed(6196, 7200)));
  }

  // ---- pause ----

  @Test
  void aPausedJobGetsNoDecisionsAndNoNextDue() {
    Job job = job(spec("tens", "*/10 * * * * *"), T0).toBuilder().setPaused(true).build();

    Plan plan = FirePlanner.plan(job, T0.plusSeconds(600), MAX_FIRES);

    assertThat(plan.decisions()).isEmpty();
    assertThat(plan.nextDue()).isEmpty();
  }

  @Test
  void resumeDecidesThePauseWindowUnderTheMisfirePolicyWithTheReasonPaused() {
    Job skip = job(spec("tens", "*/10 * * * * *", MisfirePolicy.SKIP), T0).toBuilder().setPaused(true).build();
    Plan resumed = FirePlanner.planResume(skip, T0.plusSeconds(600), MAX_FIRES);
    assertThat(skips(resumed)).singleElement().satisfies(d -> {
      assertThat(d.getSkipReason()).isEqualTo(FirePlanner.REASON_PAUSED);
      assertThat(d.getSkippedCount()).isEqualTo(59);
    });
    assertThat(fired(resumed)).containsExactly(T0.plusSeconds(600));

    Job fireAll = job(spec("tens", "*/10 * * * * *"), T0).toBuilder().setPaused(true).build();
    assertThat(fired(FirePlanner.planResume(fireAll, T0.plusSeconds(600), MAX_FIRES))).hasSize(60);
  }

  // ---- bounds and @at ----

  @Test
  void slotsBeforeTheStartBoundAreSkippedInOneDecisionWhenTheFirstSlotInsideIsDue() {
    JobSpec spec = spec("tens", "*/10 * * * * *").toBuilder()
        .setStartAt(Times.toTimestamp(T0.plusSeconds(30)))
        .build();
    Job job = job(spec, T0);

    Plan early = FirePlanner.plan(job, T0.plusSeconds(25), MAX_FIRES);
    assertThat(early.decisions()).isEmpty();
    assertThat(early.nextDue()).contains(T0.plusSeconds(30));
    assertThat(FirePlanner.nextSlot(job)).contains(T0.plusSeconds(30));

    Plan due = FirePlanner.plan(job, T0.plusSeconds(30), MAX_FIRES);
    assertThat(skips(due)).singleElement().satisfies(d -> {
      assertThat(Times.toInstant(d.getSlot())).isEqualTo(T0.plusSeconds(20));
      assertThat(d.getSkippedCount()).isEqualTo(2);
      assertThat(d.getSkipReason()).isEqualTo(FirePlanner.REASON_BEFORE_START);
    });
    assertThat(fired(due)).containsExactly(T0.plusSeconds(30));
  }

  @Test
  void noSlotAfterTheEndBoundFiresAndTheJobHasNoNextSlotAfterIt() {
    JobSpec spec = spec("tens", "*/10 * * * * *").toBuilder()
        .setEndAt(Times.toTimestamp(T0.plusSeconds(25)))
        .build();
    Job job = job(spec, T0);

    Plan plan = FirePlanner.plan(job, T0.plusSeconds(60), MAX_FIRES);

    assertThat(fired(plan)).containsExactly(T0.plusSeconds(10), T0.plusSeconds(20));
    assertThat(plan.nextDue()).isEmpty();
    assertThat(FirePlanner.nextSlot(applied(job, plan))).isEmpty();
    assertThat(FirePlanner.plan(applied(job, plan), T0.plusSeconds(120), MAX_FIRES).decisions()).isEmpty();
  }

  @Test
  void anAtScheduleFiresOnceAndThenHasNoNextSlot() {
    Job job = job(spec("once", "@at 2026-03-01T10:00:30Z"), T0);

    Plan before = FirePlanner.plan(job, T0.plusSeconds(10), MAX_FIRES);
    assertThat(before.decisions()).isEmpty();
    assertThat(before.nextDue()).contains(T0.plusSeconds(30));

    Plan plan = FirePlanner.plan(job, T0.plusSeconds(31), MAX_FIRES);
    assertThat(fired(plan)).containsExactly(T0.plusSeconds(30));
    assertThat(plan.nextDue()).isEmpty();
  }

  @Test
  void anAtSlotMissedForLongerThanTheWindowIsSkippedUnderFireAllAndFiredUnderFireOnce() {
    Job fireAll = job(spec("once", "@at 2026-03-01T10:00:30Z"), T0);
    Job fireOnce = job(spec("once", "@at 2026-03-01T10:00:30Z", MisfirePolicy.FIRE_ONCE), T0);
    Instant later = T0.plus(java.time.Duration.ofHours(3));

    assertThat(skips(FirePlanner.plan(fireAll, later, MAX_FIRES))).hasSize(1);
    assertThat(fired(FirePlanner.plan(fireOnce, later, MAX_FIRES))).containsExactly(T0.plusSeconds(30));
  }
}
