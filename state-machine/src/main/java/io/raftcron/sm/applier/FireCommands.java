package io.raftcron.sm.applier;

import com.google.protobuf.Timestamp;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.RunState;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Schedules;
import io.raftcron.sm.Times;
import io.raftcron.sm.planner.FirePlanner;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Fire decisions. This is where exactly-once triggering is enforced: a decision is accepted only
 * for a real slot of the job's schedule, after the job's cursor and not in the leader's future.
 * Acceptance creates the run and advances the cursor in the same batch, so no slot can be decided
 * twice, whichever leader proposes it and however often.
 *
 * <p>A slot after the cursor has no run, without a read to find out, unless the job inherited runs
 * under its name: fires and skips move the cursor to the slot they decide, a backfill only fills
 * slots at or before it, and manual runs' slots are never whole seconds, so never a schedule slot.
 * Only a job created under the name of a deleted one, by a leader whose clock is behind that job's
 * runs, finds runs after its cursor; its {@code inherited_runs_until} says how far ({@link
 * JobCommands}, and the upgrade from data format 1), and slots up to there are read first.
 *
 * <p>Also enforced here, deterministically: a paused job decides nothing; a slot outside the job's
 * start/end bounds never fires; and the overlap policy, against the job's active runs (QUEUED,
 * LEASED, RETRY_WAIT): {@code forbid} records the slot as a SKIPPED run while one is active,
 * {@code buffer-one} while two are (one running, one waiting), {@code replace} cancels the active
 * ones and queues the new run. Active runs are found through {@link ActiveRuns}.
 */
final class FireCommands {
  /**
   * Skipped slots counted per decision at least up to this many. Equal to the planner's
   * MAX_SKIPS_PER_PLAN today, but its own constant on purpose: it shapes what committed entries
   * record, so it must not move when the planner is tuned.
   */
  private static final long MAX_COUNTED_SKIPS = 100_000;

  private FireCommands() {}

  static CommandResult fire(ApplyContext ctx, FireSlots fire) {
    return Results.forEach(fire.getDecisionsList(), decision -> decide(ctx, decision));
  }

  /** One decision, checked against the job as this batch sees it. */
  static ItemResult decide(ApplyContext ctx, SlotDecision decision) {
    Optional<Job> found = ctx.batch().job(decision.getJob());
    if (found.isEmpty()) {
      return Results.itemRefused(
          ResultCode.NOT_FOUND, "job '" + decision.getJob() + "' does not exist");
    }
    Job job = found.get();
    if (job.getPaused()) {
      return Results.itemRefused(
          ResultCode.WRONG_STATE,
          "job '" + job.getSpec().getName() + "' is paused: its slots are decided when it is resumed");
    }
    Instant slot = Times.toInstant(decision.getSlot());
    Instant cursor = Times.toInstant(job.getCursor());
    if (!slot.isAfter(cursor) && ctx.safeguards().refuseDecidedSlots()) {
      return Results.itemRefused(
          ResultCode.DUPLICATE_SLOT,
          "slot " + slot + " of job '" + job.getSpec().getName() + "' was already decided");
    }
    if (slot.isAfter(ctx.leaderTime())) {
      return Results.itemRefused(ResultCode.INVALID, "slot " + slot + " is not due yet");
    }
    if (!Schedules.of(job.getSpec()).isSlot(slot)) {
      return Results.itemRefused(
          ResultCode.INVALID, slot + " is not a slot of schedule '" + job.getSpec().getSchedule() + "'");
    }
    if (!decision.getFire()) {
      return skipThrough(ctx, job, cursor, slot, decision);
    }
    String outside = FirePlanner.outsideBounds(job.getSpec(), slot);
    if (outside != null) {
      return Results.itemRefused(ResultCode.INVALID, "slot " + slot + " is " + outside);
    }
    return fireSlot(ctx, job, slot);
  }

  private static ItemResult fireSlot(ApplyContext ctx, Job job, Instant slot) {
    String name = job.getSpec().getName();
    if (job.hasInheritedRunsUntil()
        && !slot.isAfter(Times.toInstant(job.getInheritedRunsUntil()))
        && ctx.batch().run(name, slot).isPresent()
        && ctx.safeguards().refuseDecidedSlots()) {
      // The run of a deleted job of the same name: that is the slot's one decision. Move the cursor
      // past it so that the slot is not proposed again.
      ctx.batch().putCursor(job, Times.toTimestamp(slot), job.getFiredCount(), job.getSkippedCount());
      return Results.itemRefused(ResultCode.DUPLICATE_SLOT, "slot " + slot + " already has a run");
    }
    Run run = newRun(ctx, job, RunIds.of(name, slot), slot, RunOrigin.SCHEDULED);
    String overlapSkip = applyOverlapPolicy(ctx, job);
    Timestamp cursor = Times.toTimestamp(slot);
    if (overlapSkip != null) {
      run =
          run.toBuilder()
              .setState(RunState.SKIPPED)
              .setSkipReason(overlapSkip)
              .setFinishedAt(Times.toTimestamp(ctx.leaderTime()))
              .build();
      ctx.batch().putRun(run);
      ctx.batch().putCursor(job, cursor, job.getFiredCount(), job.getSkippedCount() + 1);
      return Results.item(run);
    }
    queue(ctx, job, run);
    ctx.batch().putCursor(job, cursor, job.getFiredCount() + 1, job.getSkippedCount());
    return Results.item(run);
  }

  /** A new QUEUED run of {@code job}, stamped with the deciding leader and the job's settings. */
  static Run newRun(ApplyContext ctx, Job job, String runId, Instant slot, RunOrigin origin) {
    return Run.newBuilder()
        .setRunId(runId)
        .setJob(job.getSpec().getName())
        .setSlot(Times.toTimestamp(slot))
        .setAttempt(1)
        .setState(RunState.QUEUED)
        .setFiredBy(ctx.leaderNode())
        .setTerm(ctx.term())
        .setFireIndex(ctx.index())
        .setFiredAt(Times.toTimestamp(ctx.leaderTime()))
        .setExecutor(job.getSpec().getExecutor())
        .setTimeout(job.getSpec().getTimeout())
        .setRetry(job.getSpec().getRetry())
        .setOrigin(origin)
        .build();
  }

  /** Stores a new run of {@code job}, queues it and marks it active if the job keeps the index. */
  static void queue(ApplyContext ctx, Job job, Run run) {
    ctx.batch().putRun(run);
    ctx.batch().enqueue(run);
    ActiveRuns.mark(ctx, job, run);
  }

  /**
   * Applies the job's overlap policy before a scheduled slot fires: returns the reason to skip the
   * slot, or null to fire it (after cancelling the active runs under {@code replace}).
   */
  private static String applyOverlapPolicy(ApplyContext ctx, Job job) {
    return switch (job.getSpec().getOverlap()) {
      case FORBID -> {
        List<Run> active = ActiveRuns.of(ctx, job.getSpec().getName());
        yield active.isEmpty()
            ? null
            : "overlap: policy forbid, run " + active.get(active.size() - 1).getRunId() + " is still "
                + active.get(active.size() - 1).getState();
      }
      case BUFFER_ONE -> {
        List<Run> active = ActiveRuns.of(ctx, job.getSpec().getName());
        yield active.size() < 2
            ? null
            : "overlap: policy buffer-one, " + active.size() + " runs are active already (one waits)";
      }
      case REPLACE -> {
        for (Run active : ActiveRuns.of(ctx, job.getSpec().getName())) {
          Run cancelled = Cancellation.cancel(ctx, active);
          ctx.batch().putRun(cancelled);
          if (!Cancellation.isActive(cancelled)) {
            ctx.batch().unmarkActive(cancelled);
          }
        }
        yield null;
      }
      default -> null; // ALLOW, unspecified
    };
  }

  private static ItemResult skipThrough(
      ApplyContext ctx, Job job, Instant cursor, Instant through, SlotDecision decision) {
    // The range recorded is (cursor, through] as of now, which is narrower than the one the leader
    // counted if slots were decided in between (a deposed leader's skip applied after its
    // successor's fires), so count it here. The cursor only moves forward, so the leader's count
    // is an upper bound unless the schedule changed in between; the limit bounds the walk.
    long count =
        Schedules.of(job.getSpec())
            .countSlots(cursor, through, Math.max(decision.getSkippedCount(), MAX_COUNTED_SKIPS));
    SkippedSlots skipped =
        SkippedSlots.newBuilder()
            .setJob(job.getSpec().getName())
            .setAfter(Times.toTimestamp(cursor))
            .setThrough(Times.toTimestamp(through))
            .setCount(count)
            .setReason(decision.getSkipReason())
            .setDecidedIndex(ctx.index())
            .build();
    ctx.batch().putSkipped(skipped);
    ctx.batch().putCursor(job, Times.toTimestamp(through), job.getFiredCount(), job.getSkippedCount() + count);
    return Results.itemOk();
  }
}
