package io.raftcron.sm.applier;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Schedules;
import io.raftcron.sm.Times;
import java.time.Instant;
import java.util.Optional;

/**
 * Fire decisions. This is where exactly-once triggering is enforced: a decision is accepted only
 * for a real slot of the job's schedule, after the job's cursor, not in the leader's future, and
 * with no run recorded for it yet. Acceptance creates the run and advances the cursor in the same
 * batch, so no slot can be decided twice, whichever leader proposes it and however often.
 */
final class FireCommands {
  private FireCommands() {}

  static CommandResult fire(ApplyContext ctx, FireSlots fire) {
    CommandResult.Builder result = CommandResult.newBuilder().setCode(ResultCode.OK);
    for (SlotDecision decision : fire.getDecisionsList()) {
      result.addItems(decide(ctx, decision));
    }
    return result.build();
  }

  private static ItemResult decide(ApplyContext ctx, SlotDecision decision) {
    Optional<Job> found = ctx.batch().job(decision.getJob());
    if (found.isEmpty()) {
      return Results.itemRefused(
          ResultCode.NOT_FOUND, "job '" + decision.getJob() + "' does not exist");
    }
    Job job = found.get();
    Instant slot = Times.toInstant(decision.getSlot());
    Instant cursor = Times.toInstant(job.getCursor());
    if (!slot.isAfter(cursor)) {
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
    return decision.getFire() ? fireSlot(ctx, job, slot) : skipThrough(ctx, job, cursor, slot, decision);
  }

  private static ItemResult fireSlot(ApplyContext ctx, Job job, Instant slot) {
    String name = job.getSpec().getName();
    if (ctx.batch().run(name, slot).isPresent()) {
      // Only possible if a job was deleted and re-created behind its old runs: still one fire.
      return Results.itemRefused(ResultCode.DUPLICATE_SLOT, "slot " + slot + " already has a run");
    }
    Run run =
        Run.newBuilder()
            .setRunId(RunIds.of(name, slot))
            .setJob(name)
            .setSlot(Times.toTimestamp(slot))
            .setAttempt(1)
            .setState(RunState.QUEUED)
            .setFiredBy(ctx.leaderNode())
            .setTerm(ctx.term())
            .setFireIndex(ctx.index())
            .setFiredAt(Times.toTimestamp(ctx.leaderTime()))
            .setExecutor(job.getSpec().getExecutor())
            .build();
    ctx.batch().putRun(run);
    ctx.batch().enqueue(run);
    ctx.batch()
        .putJob(
            job.toBuilder()
                .setCursor(Times.toTimestamp(slot))
                .setFiredCount(job.getFiredCount() + 1)
                .build());
    return Results.item(run);
  }

  private static ItemResult skipThrough(
      ApplyContext ctx, Job job, Instant cursor, Instant through, SlotDecision decision) {
    SkippedSlots skipped =
        SkippedSlots.newBuilder()
            .setJob(job.getSpec().getName())
            .setAfter(Times.toTimestamp(cursor))
            .setThrough(Times.toTimestamp(through))
            .setCount(decision.getSkippedCount())
            .setReason(decision.getSkipReason())
            .setDecidedIndex(ctx.index())
            .build();
    ctx.batch().putSkipped(skipped);
    ctx.batch()
        .putJob(
            job.toBuilder()
                .setCursor(Times.toTimestamp(through))
                .setSkippedCount(job.getSkippedCount() + decision.getSkippedCount())
                .build());
    return ItemResult.newBuilder().setCode(ResultCode.OK).build();
  }
}
