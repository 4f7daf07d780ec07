package io.raftcron.sm.planner;

import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.Schedules;
import io.raftcron.sm.Times;
import io.raftcron.sm.schedule.Schedule;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides, for one job at a given instant, which of its open slots fire and which are skipped.
 * Pure: the leader passes its clock's reading in, and the decisions go into a FireSlots command.
 *
 * <p>A slot decided more than {@link #MISFIRE_THRESHOLD} after its time was missed (the cluster
 * had no leader, or the job could not be reached): {@code fire-all} still fires it if it lies
 * inside the job's catch-up window, {@code skip} records it as skipped.
 */
public final class FirePlanner {
  public static final Duration DEFAULT_CATCHUP_WINDOW = Duration.ofHours(1);
  public static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(5);
  /** Missed slots are walked one by one; at most this many are skipped per plan. */
  static final long MAX_SKIPS_PER_PLAN = 100_000;

  private FirePlanner() {}

  /** The decisions to propose and when to look at the job again. */
  public record Plan(List<SlotDecision> decisions, Optional<Instant> nextDue) {}

  public static Plan plan(Job job, Instant now, int maxFires) {
    JobSpec spec = job.getSpec();
    Schedule schedule = Schedules.of(spec);
    List<SlotDecision> decisions = new ArrayList<>();

    Optional<Instant> next = schedule.nextAfter(Times.toInstant(job.getCursor()));
    if (next.isEmpty() || next.get().isAfter(now)) {
      return new Plan(decisions, next);
    }
    Instant cutoff = now.minus(missedAfter(spec));
    if (!next.get().isAfter(cutoff)) {
      // Walk the missed slots; a bounded walk skips part of a long outage now, the rest next round.
      Instant last = next.get();
      long count = 1;
      for (Optional<Instant> s = schedule.nextAfter(last);
          s.isPresent() && !s.get().isAfter(cutoff) && count < MAX_SKIPS_PER_PLAN;
          s = schedule.nextAfter(last)) {
        last = s.get();
        count++;
      }
      decisions.add(
          SlotDecision.newBuilder()
              .setJob(spec.getName())
              .setSlot(Times.toTimestamp(last))
              .setFire(false)
              .setSkipReason(skipReason(spec))
              .setSkippedCount(count)
              .build());
      next = schedule.nextAfter(last);
      if (next.isPresent() && !next.get().isAfter(cutoff)) {
        return new Plan(decisions, next); // more missed slots than one plan skips
      }
    }
    int fires = 0;
    while (next.isPresent() && !next.get().isAfter(now) && fires < maxFires) {
      decisions.add(
          SlotDecision.newBuilder()
              .setJob(spec.getName())
              .setSlot(Times.toTimestamp(next.get()))
              .setFire(true)
              .build());
      fires++;
      next = schedule.nextAfter(next.get());
    }
    return new Plan(decisions, next);
  }

  /** How late a slot may be decided before the misfire policy treats it as missed. */
  private static Duration missedAfter(JobSpec spec) {
    if (spec.getMisfire() == MisfirePolicy.SKIP) {
      return MISFIRE_THRESHOLD;
    }
    if (!spec.hasCatchupWindow()) {
      return DEFAULT_CATCHUP_WINDOW;
    }
    Duration window =
        Duration.ofSeconds(spec.getCatchupWindow().getSeconds(), spec.getCatchupWindow().getNanos());
    // A window shorter than the threshold would skip slots that are merely on time.
    return window.compareTo(MISFIRE_THRESHOLD) < 0 ? MISFIRE_THRESHOLD : window;
  }

  private static String skipReason(JobSpec spec) {
    return spec.getMisfire() == MisfirePolicy.SKIP
        ? "missed: misfire policy skip"
        : "missed: older than the catch-up window";
  }
}
