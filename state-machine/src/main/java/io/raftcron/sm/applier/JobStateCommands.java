package io.raftcron.sm.applier;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.PauseJob;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.ResumeJob;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.Times;
import java.util.Optional;

/**
 * Pause and resume. A paused job decides no slot (FireSlots decisions for it are refused); its
 * cursor stays where it was. Resume clears the flag and applies, in the same entry, the leader's
 * decisions for the slots that came due meanwhile (planned under the job's misfire policy, skips
 * with the reason "paused"), each checked exactly like a FireSlots decision. Both are idempotent:
 * pausing a paused job or resuming a running one changes nothing. Both are writes to the job, so
 * they move its version (a compare-and-set update based on the old version is refused).
 */
final class JobStateCommands {
  private JobStateCommands() {}

  static CommandResult pause(ApplyContext ctx, PauseJob pause) {
    Optional<Job> found = ctx.batch().job(pause.getName());
    if (found.isEmpty()) {
      return Results.noSuchJob(pause.getName());
    }
    Job job = found.get();
    if (job.getPaused()) {
      return Results.ok(job);
    }
    Job paused =
        job.toBuilder()
            .setPaused(true)
            .setPausedAt(Times.toTimestamp(ctx.leaderTime()))
            .setVersion(ctx.index())
            .setUpdatedAt(Times.toTimestamp(ctx.leaderTime()))
            .build();
    ctx.batch().putJob(paused);
    return Results.ok(paused);
  }

  static CommandResult resume(ApplyContext ctx, ResumeJob resume) {
    Optional<Job> found = ctx.batch().job(resume.getName());
    if (found.isEmpty()) {
      return Results.noSuchJob(resume.getName());
    }
    Job job = found.get();
    if (!job.getPaused()) {
      return Results.ok(job); // a second resume: the decisions were planned for the first
    }
    ctx.batch()
        .putJob(
            job.toBuilder()
                .setPaused(false)
                .clearPausedAt()
                .setVersion(ctx.index())
                .setUpdatedAt(Times.toTimestamp(ctx.leaderTime()))
                .build());
    CommandResult.Builder result = CommandResult.newBuilder().setCode(ResultCode.OK);
    for (SlotDecision decision : resume.getDecisionsList()) {
      if (!decision.getJob().equals(resume.getName())) {
        result.addItems(
            Results.itemRefused(ResultCode.INVALID, "a resume decides slots of its own job only"));
        continue;
      }
      result.addItems(FireCommands.decide(ctx, decision));
    }
    return result.setJob(ctx.batch().job(resume.getName()).orElseThrow()).build();
  }
}
