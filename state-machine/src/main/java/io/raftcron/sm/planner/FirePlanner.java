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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Decides, for one job at a given instant, which of its open slots fire and which are skipped.
 * Pure: the leader passes its clock's reading in, and the decisions go into a FireSlots command
 * (or, for the slots that came due while a job was paused, into its ResumeJob command).
 *
 * <p>The open slots are those after the job's cursor. Bounds first: slots before {@code start_at}
 * are skipped ("before start") in one decision when the first slot inside the bounds is due, and
 * slots after {@code end_at} are never decided (the job has no next slot any more).
 *
 * <p>A slot decided more than {@link #MISFIRE_THRESHOLD} after its time was <em>missed</em> (the
 * cluster had no leader, the job was paused, the leader's clock jumped). The misfire policy decides
 * the missed slots, oldest first:
 * <ul>
 *   <li>{@code skip}: all are skipped; the schedule resumes at the next on-time slot.
 *   <li>{@code fire-once}: the latest missed slot fires, the others are skipped.
 *   <li>{@code fire-all} (default): missed slots older than the catch-up window are skipped; of the
 *       others at most {@code max_catchup} (the latest) fire and the older ones are skipped.
 * </ul>
 * On-time slots always fire. Each skipped stretch is one decision with its reason and count.
 */
public final class FirePlanner {
  public static final Duration DEFAULT_CATCHUP_WINDOW = Duration.ofHours(1);
  public static final int DEFAULT_MAX_CATCHUP = 1000;
  public static final Duration MISFIRE_THRESHOLD = Duration.ofSeconds(5);
  /** Missed slots are walked one by one; at most this many are walked per plan. */
  static final long MAX_SKIPS_PER_PLAN = 100_000;

  public static final String REASON_BEFORE_START = "before start: the slot is before the job's start bound";
  public static final String REASON_PAUSED = "paused: the slot came due while the job was paused";

  /** Slots one backfill may fire at most. */
  public static final int MAX_BACKFILL_SLOTS = 1000;

  private FirePlanner() {}

  /** Why {@code slot} is outside the spec's start/end bounds, or null if it is inside. */
  public static String outsideBounds(JobSpec spec, Instant slot) {
    if (spec.hasStartAt() && slot.isBefore(Times.toInstant(spec.getStartAt()))) {
      return "before the job's start bound " + Times.toInstant(spec.getStartAt());
    }
    if (spec.hasEndAt() && slot.isAfter(Times.toInstant(spec.getEndAt()))) {
      return "after the job's end bound " + Times.toInstant(spec.getEndAt());
    }
    return null;
  }

  /** The decisions to propose and when to look at the job again (empty: nothing to look for). */
  public record Plan(List<SlotDecision> decisions, Optional<Instant> nextDue) {}

  /** The plan at {@code now}; a paused job gets none (and is looked at again when resumed). */
  public static Plan plan(Job job, Instant now, int maxFires) {
    if (job.getPaused()) {
      return new Plan(List.of(), Optional.empty());
    }
    return plan(job, now, maxFires, false);
  }

  /**
   * The plan for a job being resumed at {@code now}: as if it had not been paused, except that the
   * missed slots the misfire policy skips are recorded with the reason "paused".
   */
  public static Plan planResume(Job job, Instant now, int maxFires) {
    return plan(job, now, maxFires, true);
  }

  /**
   * {@code from}, or the instant just before the spec's start bound if that is later: the slots
   * strictly after the result are the first a job may fire.
   */
  public static Instant notBeforeStart(JobSpec spec, Instant from) {
    if (spec.hasStartAt()) {
      Instant beforeStart = Times.toInstant(spec.getStartAt()).minusNanos(1);
      if (beforeStart.isAfter(from)) {
        return beforeStart;
      }
    }
    return from;
  }

  /** The next slot the job will decide: the first after its cursor inside its bounds. */
  public static Optional<Instant> nextSlot(Job job) {
    JobSpec spec = job.getSpec();
    Schedule schedule = Schedules.of(spec);
    Optional<Instant> next = schedule.nextAfter(notBeforeStart(spec, Times.toInstant(job.getCursor())));
    return next.filter(n -> !spec.hasEndAt() || !n.isAfter(Times.toInstant(spec.getEndAt())));
  }

  private static Plan plan(Job job, Instant now, int maxFires, boolean resuming) {
    JobSpec spec = job.getSpec();
    Schedule schedule = Schedules.of(spec);
    Instant end = spec.hasEndAt() ? Times.toInstant(spec.getEndAt()) : null;
    List<SlotDecision> decisions = new ArrayList<>();

    Optional<Instant> next = schedule.nextAfter(Times.toInstant(job.getCursor()));
    if (next.isEmpty()) {
      return new Plan(decisions, Optional.empty());
    }

    // Slots before the start bound: skipped in one stretch once the first slot inside is due.
    if (spec.hasStartAt() && next.get().isBefore(Times.toInstant(spec.getStartAt()))) {
      Instant start = Times.toInstant(spec.getStartAt());
      Optional<Instant> first = nextSlot(job);
      if (first.isEmpty()) {
        return new Plan(decisions, Optional.empty()); // no slot inside the bounds at all
      }
      if (first.get().isAfter(now)) {
        return new Plan(decisions, first);
      }
      Instant last = next.get();
      long count = 1;
      for (Optional<Instant> s = schedule.nextAfter(last);
          s.isPresent() && s.get().isBefore(start) && count < MAX_SKIPS_PER_PLAN;
          s = schedule.nextAfter(last)) {
        last = s.get();
        count++;
      }
      decisions.add(skip(spec, last, count, REASON_BEFORE_START));
      next = schedule.nextAfter(last);
      if (next.isPresent() && next.get().isBefore(start)) {
        return new Plan(decisions, next); // more slots before the start than one plan walks
      }
    }

    Instant limit = end != null && end.isBefore(now) ? end : now;
    if (next.isEmpty() || next.get().isAfter(limit)) {
      return new Plan(decisions, afterEnd(next, end));
    }

    Instant missedLimit = now.minus(MISFIRE_THRESHOLD);
    if (missedLimit.isAfter(limit)) {
      missedLimit = limit;
    }
    if (!next.get().isAfter(missedLimit)) {
      Missed missed = walkMissed(spec, schedule, next.get(), missedLimit, now);
      if (missed.lastOld != null) {
        decisions.add(
            skip(spec, missed.lastOld, missed.oldCount, resuming ? REASON_PAUSED : windowReason(spec)));
      }
      if (missed.lastDropped != null) {
        decisions.add(
            skip(spec, missed.lastDropped, missed.droppedCount, resuming ? REASON_PAUSED : policyReason(spec)));
      }
      if (!missed.complete) {
        // More missed slots than one plan walks: the kept ones may still be pushed out. Go on now.
        return new Plan(decisions, Optional.of(missed.resumeAt));
      }
      Instant lastSkipped = missed.lastDropped != null ? missed.lastDropped : missed.lastOld;
      if (lastSkipped != null) {
        next = schedule.nextAfter(lastSkipped);
      }
    }

    int fires = 0;
    while (next.isPresent() && !next.get().isAfter(limit) && fires < maxFires) {
      decisions.add(
          SlotDecision.newBuilder()
              .setJob(spec.getName())
              .setSlot(Times.toTimestamp(next.get()))
              .setFire(true)
              .build());
      fires++;
      next = schedule.nextAfter(next.get());
    }
    return new Plan(decisions, afterEnd(next, end));
  }

  /** The missed slots walked: the stretches to skip and whether the walk saw them all. */
  private static final class Missed {
    Instant lastOld;
    long oldCount;
    Instant lastDropped;
    long droppedCount;
    boolean complete;
    Instant resumeAt;
  }

  /**
   * Walks the missed slots from {@code first} through {@code missedLimit}. Fire-all: those at or
   * before the catch-up window's start are "old". Of the others the policy keeps the latest
   * {@code keep} (skip 0, fire-once 1, fire-all max_catchup); the ones before them are "dropped".
   */
  private static Missed walkMissed(
      JobSpec spec, Schedule schedule, Instant first, Instant missedLimit, Instant now) {
    boolean fireAll = isFireAll(spec);
    Instant windowStart = fireAll ? now.minus(catchupWindow(spec)) : null;
    int keep =
        switch (spec.getMisfire()) {
          case SKIP -> 0;
          case FIRE_ONCE -> 1;
          default -> maxCatchup(spec);
        };
    Missed missed = new Missed();
    ArrayDeque<Instant> kept = new ArrayDeque<>();
    long walked = 0;
    Optional<Instant> s = Optional.of(first);
    while (true) {
      if (s.isEmpty() || s.get().isAfter(missedLimit)) {
        missed.complete = true;
        break;
      }
      if (walked >= MAX_SKIPS_PER_PLAN) {
        missed.resumeAt = kept.isEmpty() ? s.get() : kept.peekFirst();
        break;
      }
      Instant slot = s.get();
      walked++;
      if (fireAll && !slot.isAfter(windowStart)) {
        missed.lastOld = slot;
        missed.oldCount++;
      } else {
        kept.addLast(slot);
        if (kept.size() > keep) {
          missed.lastDropped = kept.removeFirst();
          missed.droppedCount++;
        }
      }
      s = schedule.nextAfter(slot);
    }
    return missed;
  }

  private static Optional<Instant> afterEnd(Optional<Instant> next, Instant end) {
    return next.filter(n -> end == null || !n.isAfter(end));
  }

  private static SlotDecision skip(JobSpec spec, Instant through, long count, String reason) {
    return SlotDecision.newBuilder()
        .setJob(spec.getName())
        .setSlot(Times.toTimestamp(through))
        .setFire(false)
        .setSkipReason(reason)
        .setSkippedCount(count)
        .build();
  }

  private static boolean isFireAll(JobSpec spec) {
    return spec.getMisfire() != MisfirePolicy.SKIP && spec.getMisfire() != MisfirePolicy.FIRE_ONCE;
  }

  /** The catch-up window of a fire-all job, never shorter than the misfire threshold. */
  public static Duration catchupWindow(JobSpec spec) {
    if (!spec.hasCatchupWindow()) {
      return DEFAULT_CATCHUP_WINDOW;
    }
    Duration window =
        Duration.ofSeconds(spec.getCatchupWindow().getSeconds(), spec.getCatchupWindow().getNanos());
    // A window shorter than the threshold would skip slots that are merely on time.
    return window.compareTo(MISFIRE_THRESHOLD) < 0 ? MISFIRE_THRESHOLD : window;
  }

  public static int maxCatchup(JobSpec spec) {
    return spec.getMaxCatchup() <= 0 ? DEFAULT_MAX_CATCHUP : spec.getMaxCatchup();
  }

  private static String windowReason(JobSpec spec) {
    return "missed: older than the catch-up window (" + human(catchupWindow(spec)) + ")";
  }

  private static String policyReason(JobSpec spec) {
    return switch (spec.getMisfire()) {
      case SKIP -> "missed: misfire policy skip";
      case FIRE_ONCE -> "missed: misfire policy fire-once fires only the latest missed slot";
      default -> "missed: beyond max-catchup (" + maxCatchup(spec) + " missed slots fire at most)";
    };
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }
}
