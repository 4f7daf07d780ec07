package io.raftcron.sm.applier;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.DeleteJob;
import io.raftcron.proto.Job;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.ResultCode;
import io.raftcron.sm.Limits;
import io.raftcron.sm.Schedules;
import io.raftcron.sm.Times;
import io.raftcron.sm.planner.FirePlanner;
import io.raftcron.sm.schedule.JobSpecValidator;
import io.raftcron.sm.schedule.Schedule;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Create, update (compare-and-set on the version) and delete of jobs. */
final class JobCommands {
  private JobCommands() {}

  static CommandResult put(ApplyContext ctx, PutJob put) {
    // The edge checked the zone against its node's time-zone database before this was proposed: one this
    // node's lacks is its JVM lagging, and refusing here alone would part it from the other replicas.
    if (!Schedule.isKnownZone(put.getSpec().getTimeZone())) {
      throw new UnappliableCommandException("entry " + ctx.index() + " puts job '" + put.getSpec().getName()
          + "' in time zone '" + put.getSpec().getTimeZone() + "', which this node's time-zone database lacks", null);
    }
    // Checked again here, deterministically: the API edge may run another version.
    List<String> problems = JobSpecValidator.problems(put.getSpec());
    if (!problems.isEmpty()) {
      return Results.refused(ResultCode.INVALID, String.join("; ", problems));
    }
    String name = put.getSpec().getName();
    Optional<Job> existing = ctx.batch().job(name);
    // A one-shot schedule whose instant has passed would never fire: say so instead of accepting it.
    boolean scheduleChanged =
        put.getCreate()
            || existing.map(j -> !j.getSpec().getSchedule().equals(put.getSpec().getSchedule())).orElse(true);
    Optional<Instant> oneShot = Schedules.of(put.getSpec()).oneShot();
    if (scheduleChanged && oneShot.isPresent() && !oneShot.get().isAfter(ctx.leaderTime())) {
      return Results.refused(
          ResultCode.INVALID,
          "schedule: the instant of '" + put.getSpec().getSchedule() + "' (" + oneShot.get()
              + ") is not in the future (now " + ctx.leaderTime() + "); it would never fire");
    }
    Job job;
    if (put.getCreate()) {
      if (existing.isPresent()) {
        return Results.refused(ResultCode.ALREADY_EXISTS, "job '" + name + "' already exists");
      }
      if (ctx.batch().jobCount() >= Limits.MAX_JOBS) {
        return Results.refused(ResultCode.INVALID, "the cluster already holds " + Limits.MAX_JOBS
            + " jobs, the most it keeps: delete jobs before creating more");
      }
      // Slots strictly after the creation time (and not before the start bound) are this job's.
      Instant cursor = FirePlanner.notBeforeStart(put.getSpec(), ctx.leaderTime());
      Job.Builder created =
          Job.newBuilder()
              .setSpec(put.getSpec())
              .setVersion(ctx.index())
              .setCreatedAt(Times.toTimestamp(ctx.leaderTime()))
              .setUpdatedAt(Times.toTimestamp(ctx.leaderTime()))
              .setCursor(Times.toTimestamp(cursor));
      // A deleted job of the same name left runs (history) past that, if this leader's clock is
      // behind its predecessor's: their slots must not fire again (see FireCommands).
      Optional<Instant> inherited = ctx.batch().committedNthNewestRunSlot(name, 1);
      inherited
          .filter(newest -> newest.isAfter(cursor))
          .ifPresent(newest -> created.setInheritedRunsUntil(Times.toTimestamp(newest)));
      // Those runs count for the overlap policy too. Read from the committed store: this command has
      // written nothing yet.
      if (inherited.isPresent() && ActiveRuns.indexed(put.getSpec())) {
        ActiveRuns.startIndexing(ctx, name);
      }
      job = created.build();
    } else {
      if (existing.isEmpty()) {
        return Results.noSuchJob(name);
      }
      Job current = existing.get();
      if (current.getVersion() != put.getExpectedVersion()) {
        return versionMismatch(name, current.getVersion(), put.getExpectedVersion());
      }
      // Between two policies that read the active-run index it was kept; from one that does not, its
      // runs were not marked. Read from the committed store: this command has written nothing yet.
      if (ActiveRuns.indexed(put.getSpec()) && !ActiveRuns.indexed(current.getSpec())) {
        ActiveRuns.startIndexing(ctx, name);
      }
      // The cursor stays: slots already decided under the old schedule remain decided.
      job =
          current.toBuilder()
              .setSpec(put.getSpec())
              .setVersion(ctx.index())
              .setUpdatedAt(Times.toTimestamp(ctx.leaderTime()))
              .build();
    }
    if (put.getCreate()) {
      ctx.batch().createJob(job);
    } else {
      ctx.batch().putJob(job);
    }
    return Results.ok(job);
  }

  static CommandResult delete(ApplyContext ctx, DeleteJob delete) {
    String name = delete.getName();
    Optional<Job> existing = ctx.batch().job(name);
    if (existing.isEmpty()) {
      return Results.noSuchJob(name);
    }
    long version = existing.get().getVersion();
    if (delete.getExpectedVersion() != 0 && version != delete.getExpectedVersion()) {
      return versionMismatch(name, version, delete.getExpectedVersion());
    }
    // Runs stay as history; queued runs still execute with the executor copied at fire time.
    ctx.batch().deleteJob(name);
    return Results.ok(existing.get());
  }

  private static CommandResult versionMismatch(String name, long actual, long expected) {
    return Results.refused(
        ResultCode.VERSION_MISMATCH,
        "job '" + name + "' is at version " + actual + ", not " + expected);
  }
}
