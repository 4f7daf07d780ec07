package io.raftcron.sm.applier;

import com.google.protobuf.Timestamp;
import io.raftcron.proto.BackfillJob;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.TriggerJob;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Schedules;
import io.raftcron.sm.Times;
import io.raftcron.sm.planner.FirePlanner;
import io.raftcron.sm.schedule.Schedule;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * Runs a user asks for: a manual trigger (origin MANUAL) and a backfill of past slots (origin
 * BACKFILL). Neither moves the job's cursor nor applies its overlap policy (they are explicit
 * requests; the dispatcher still runs a forbid or buffer-one job's runs one at a time), and both are
 * active runs (see {@link ActiveRuns}), so scheduled slots see them under the overlap policy.
 *
 * <p>A manual run's "slot" is the trigger's leader time to the millisecond, moved off whole seconds
 * so that it can never take a schedule slot's place in the ledger. With a request id the trigger is
 * idempotent: the same id answers the run it created before, as long as that run is retained.
 *
 * <p>A backfill fires only slots that are real slots of the schedule, inside the job's bounds, at
 * or before its cursor (later slots are the scheduler's to decide) and without a run: a slot that
 * already has a fire decision is never fired again (DUPLICATE_SLOT), whichever way it was decided.
 * Slots the scheduler skipped (misfire, pause) can be backfilled.
 */
final class ManualRuns {
  static final int MAX_BACKFILL_SLOTS = FirePlanner.MAX_BACKFILL_SLOTS;

  private ManualRuns() {}

  static CommandResult trigger(ApplyContext ctx, TriggerJob trigger) {
    Optional<Job> found = ctx.batch().job(trigger.getName());
    if (found.isEmpty()) {
      return Results.noSuchJob(trigger.getName());
    }
    Job job = found.get();
    String name = job.getSpec().getName();
    String requestId = trigger.getRequestId();
    if (!requestId.isEmpty() && !RunIds.isValidRequestId(requestId)) {
      return Results.refused(
          ResultCode.INVALID,
          "request id '" + requestId + "' is not allowed: use 1-128 of A-Z a-z 0-9 . _ : -");
    }
    if (!requestId.isEmpty()) {
      Optional<Run> earlier =
          ctx.batch().triggeredRun(name, requestId).flatMap(ctx.batch()::run);
      if (earlier.isPresent()) {
        return CommandResult.newBuilder()
            .setCode(ResultCode.OK)
            .setMessage("request id '" + requestId + "' already triggered run " + earlier.get().getRunId())
            .setJob(job)
            .addItems(Results.item(earlier.get()))
            .build();
      }
    }
    Instant time = ctx.leaderTime().truncatedTo(ChronoUnit.MILLIS);
    while (time.getNano() == 0 || ctx.batch().run(name, time).isPresent()) {
      time = time.plusMillis(1);
    }
    Run run =
        FireCommands.newRun(ctx, job, RunIds.manual(name, time, requestId, ctx.index()), time, RunOrigin.MANUAL)
            .toBuilder()
            .setRequestId(requestId)
            .build();
    FireCommands.queue(ctx, job, run);
    if (!requestId.isEmpty()) {
      ctx.batch().putTrigger(name, requestId, run.getRunId());
    }
    return CommandResult.newBuilder()
        .setCode(ResultCode.OK)
        .setJob(job)
        .addItems(Results.item(run))
        .build();
  }

  static CommandResult backfill(ApplyContext ctx, BackfillJob backfill) {
    Optional<Job> found = ctx.batch().job(backfill.getName());
    if (found.isEmpty()) {
      return Results.noSuchJob(backfill.getName());
    }
    if (backfill.getSlotsCount() > MAX_BACKFILL_SLOTS) {
      return Results.refused(
          ResultCode.INVALID,
          "a backfill holds at most " + MAX_BACKFILL_SLOTS + " slots, not " + backfill.getSlotsCount());
    }
    CommandResult.Builder result = CommandResult.newBuilder().setCode(ResultCode.OK);
    for (Timestamp slot : backfill.getSlotsList()) {
      result.addItems(backfillOne(ctx, backfill.getName(), Times.toInstant(slot)));
    }
    return result.setJob(ctx.batch().job(backfill.getName()).orElseThrow()).build();
  }

  private static ItemResult backfillOne(ApplyContext ctx, String name, Instant slot) {
    Job job = ctx.batch().job(name).orElseThrow();
    if (!Times.inRange(slot)) {
      return Results.itemRefused(ResultCode.INVALID, "slot " + slot + " is out of range: from 1970 to 9999");
    }
    Schedule schedule = Schedules.of(job.getSpec());
    if (!schedule.isSlot(slot)) {
      return Results.itemRefused(
          ResultCode.INVALID, slot + " is not a slot of schedule '" + job.getSpec().getSchedule() + "'");
    }
    if (slot.isAfter(Times.toInstant(job.getCursor())) || slot.isAfter(ctx.leaderTime())) {
      return Results.itemRefused(
          ResultCode.INVALID, "slot " + slot + " is not decided yet: the scheduler decides it");
    }
    String outside = FirePlanner.outsideBounds(job.getSpec(), slot);
    if (outside != null) {
      return Results.itemRefused(ResultCode.INVALID, "slot " + slot + " is " + outside);
    }
    Optional<Run> existing = ctx.batch().run(name, slot);
    if (existing.isPresent() && ctx.safeguards().refuseDecidedSlots()) {
      return Results.itemRefused(
          ResultCode.DUPLICATE_SLOT,
          "slot " + slot + " already has run " + existing.get().getRunId() + " ("
              + existing.get().getState() + ")");
    }
    if (job.hasPurgedThrough() && !slot.isAfter(Times.toInstant(job.getPurgedThrough()))
        && ctx.safeguards().refuseDecidedSlots()) {
      return Results.itemRefused(
          ResultCode.DUPLICATE_SLOT,
          "slot " + slot + " is in purged history (runs through " + Times.toInstant(job.getPurgedThrough())
              + " were purged): whether it ran cannot be told, so it is not fired again");
    }
    Run run = FireCommands.newRun(ctx, job, RunIds.of(name, slot), slot, RunOrigin.BACKFILL);
    FireCommands.queue(ctx, job, run);
    ctx.batch().putCursor(job, job.getCursor(), job.getFiredCount() + 1, job.getSkippedCount());
    return Results.item(run);
  }
}
