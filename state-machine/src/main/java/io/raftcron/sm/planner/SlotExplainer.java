package io.raftcron.sm.planner;

import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.RunState;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.proto.SlotExplanation;
import io.raftcron.proto.SlotVerdict;
import io.raftcron.sm.Schedules;
import io.raftcron.sm.Times;
import io.raftcron.sm.schedule.Schedule;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Instant;
import java.util.Optional;

/**
 * "Why didn't it run?": what the replicated state says about one slot of a job. A read; {@code now}
 * (the serving node's clock) only tells a slot that is not due yet from one about to be decided.
 *
 * <p>In order: a run recorded for the slot (fired, or SKIPPED by the overlap policy) answers first,
 * even for a deleted job; then whether the instant is a slot of the job's schedule at all; its
 * bounds and creation; a recorded skipped range holding it; and for open slots (after the cursor)
 * not yet due, paused (decided on resume) or pending.
 */
public final class SlotExplainer {
  private SlotExplainer() {}

  /** Empty if the job does not exist and no run was recorded for the slot. */
  public static Optional<SlotExplanation> explain(
      SchedulerStore store, String name, Instant slot, Instant now) {
    Optional<Run> run = store.run(name, slot);
    if (run.isPresent()) {
      return Optional.of(ofRun(run.get()));
    }
    Optional<Job> found = store.job(name);
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Job job = found.get();
    JobSpec spec = job.getSpec();
    Schedule schedule = Schedules.of(spec);
    if (!schedule.isSlot(slot)) {
      String next = schedule.nextAfter(slot).map(n -> "; the next slot after it is " + n).orElse("");
      return verdict(
          SlotVerdict.OUTSIDE_SCHEDULE,
          slot + " is not a slot of schedule '" + spec.getSchedule() + "' in "
              + schedule.zone() + next);
    }
    if (spec.hasStartAt() && slot.isBefore(Times.toInstant(spec.getStartAt()))) {
      return verdict(
          SlotVerdict.BEFORE_JOB,
          "before the job's start bound " + Times.toInstant(spec.getStartAt()) + ": it never fires");
    }
    if (spec.hasEndAt() && slot.isAfter(Times.toInstant(spec.getEndAt()))) {
      return verdict(
          SlotVerdict.AFTER_END,
          "after the job's end bound " + Times.toInstant(spec.getEndAt()) + ": it never fires");
    }
    if (!slot.isAfter(Times.toInstant(job.getCreatedAt()))) {
      return verdict(
          SlotVerdict.BEFORE_JOB,
          "before the job was created (" + Times.toInstant(job.getCreatedAt())
              + "): only later slots are its own ('job backfill' can fire it)");
    }
    Optional<SkippedSlots> skipped = store.skippedCovering(name, slot);
    if (skipped.isPresent()) {
      SkippedSlots s = skipped.get();
      return Optional.of(
          SlotExplanation.newBuilder()
              .setVerdict(SlotVerdict.SKIPPED_SLOT)
              .setSkipped(s)
              .setMessage(
                  "skipped: " + s.getReason() + " (one of " + s.getCount() + " slot(s) in ("
                      + Times.toInstant(s.getAfter()) + ", " + Times.toInstant(s.getThrough())
                      + "], decided at log index " + s.getDecidedIndex() + ")")
              .build());
    }
    Instant cursor = Times.toInstant(job.getCursor());
    if (!slot.isAfter(cursor)) {
      return verdict(
          SlotVerdict.SLOT_VERDICT_UNSPECIFIED,
          "decided (the job's cursor is at " + cursor + "), but no record of the decision is kept any"
              + " more: its run or skipped range was purged by the retention policy");
    }
    if (slot.isAfter(now)) {
      return verdict(
          SlotVerdict.NOT_YET_DUE,
          "not yet due" + (job.getPaused() ? "; the job is paused since "
              + Times.toInstant(job.getPausedAt()) + ", so it is decided when it is resumed" : ""));
    }
    if (job.getPaused()) {
      return verdict(
          SlotVerdict.PAUSED_PENDING,
          "due, but the job is paused since " + Times.toInstant(job.getPausedAt())
              + ": decided on resume under its misfire policy");
    }
    return verdict(
        SlotVerdict.PENDING, "due and not decided yet: the leader decides it now (misfire policy applies)");
  }

  private static SlotExplanation ofRun(Run run) {
    if (run.getState() == RunState.SKIPPED) {
      return SlotExplanation.newBuilder()
          .setVerdict(SlotVerdict.SKIPPED_SLOT)
          .setRun(run)
          .setMessage(
              "skipped: " + run.getSkipReason() + " (recorded as run " + run.getRunId() + " by "
                  + run.getFiredBy() + " in term " + run.getTerm() + " at log index "
                  + run.getFireIndex() + ")")
          .build();
    }
    String origin = run.getOrigin() == RunOrigin.BACKFILL ? " by a backfill" : "";
    return SlotExplanation.newBuilder()
        .setVerdict(SlotVerdict.FIRED)
        .setRun(run)
        .setMessage(
            "fired" + origin + " as run " + run.getRunId() + " by " + run.getFiredBy() + " in term "
                + run.getTerm() + " at log index " + run.getFireIndex() + "; the run is "
                + run.getState())
        .build();
  }

  private static Optional<SlotExplanation> verdict(SlotVerdict verdict, String message) {
    return Optional.of(SlotExplanation.newBuilder().setVerdict(verdict).setMessage(message).build());
  }
}
