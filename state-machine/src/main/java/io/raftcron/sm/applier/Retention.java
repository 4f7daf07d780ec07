package io.raftcron.sm.applier;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.PurgeRuns;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.SkippedRef;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * History retention. A finished run is beyond a job's policy when it is not among the job's
 * {@code keep_last} newest runs <em>and</em> it finished (or, never started, was decided) more than
 * {@code keep_for} before the command's leader time; a skipped range likewise, by its last slot.
 * The leader's sweeper proposes PurgeRuns; the applier re-checks every item at the command's
 * leader time against the committed state and deletes only those still beyond the policy, never a
 * QUEUED, LEASED or RETRY_WAIT run. Runs of a deleted job follow the default policy.
 */
public final class Retention {
  public static final int DEFAULT_KEEP_LAST = 1000;
  public static final Duration DEFAULT_KEEP_FOR = Duration.ofDays(7);

  private Retention() {}

  public static int keepLast(Optional<JobSpec> spec) {
    int n = spec.map(s -> s.getRetention().getKeepLast()).orElse(0);
    return n <= 0 ? DEFAULT_KEEP_LAST : n;
  }

  public static Duration keepFor(Optional<JobSpec> spec) {
    if (spec.isEmpty() || !spec.get().getRetention().hasKeepFor()) {
      return DEFAULT_KEEP_FOR;
    }
    com.google.protobuf.Duration d = spec.get().getRetention().getKeepFor();
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /** The instant a run's age is measured from: when it finished, but not before it was decided; else when it was decided. */
  public static Instant ageOf(Run run) {
    Instant fired = run.hasFiredAt() ? Times.toInstant(run.getFiredAt()) : Times.toInstant(run.getSlot());
    if (!run.hasFinishedAt()) {
      return fired;
    }
    // Never older than its fire: a worker's clock behind, or no finish time, must not purge it early.
    Instant finished = Times.toInstant(run.getFinishedAt());
    return finished.isAfter(fired) ? finished : fired;
  }

  /** True if a run's age puts it beyond {@code keepFor} at {@code now}. */
  public static boolean oldEnough(Instant age, Duration keepFor, Instant now) {
    return age.isBefore(now.minus(keepFor));
  }

  static CommandResult purge(ApplyContext ctx, PurgeRuns purge) {
    Map<String, Optional<Instant>> runBoundary = new HashMap<>();
    Map<String, Optional<Instant>> skippedBoundary = new HashMap<>();
    CommandResult.Builder result = CommandResult.newBuilder().setCode(ResultCode.OK);
    for (String runId : purge.getRunIdsList()) {
      result.addItems(purgeRun(ctx, runId, runBoundary));
    }
    for (SkippedRef ref : purge.getSkippedList()) {
      result.addItems(purgeSkipped(ctx, ref, skippedBoundary));
    }
    return result.build();
  }

  /** Raises the job's {@code purged_through} to a purged schedule slot: its record is gone, the decision is not. */
  private static void markPurged(ApplyContext ctx, Run run) {
    if (run.getOrigin() == RunOrigin.MANUAL) {
      return; // its time is never a schedule slot
    }
    Optional<Job> job = ctx.batch().job(run.getJob());
    Instant slot = Times.toInstant(run.getSlot());
    if (job.isPresent()
        && (!job.get().hasPurgedThrough() || slot.isAfter(Times.toInstant(job.get().getPurgedThrough())))) {
      ctx.batch().putJob(job.get().toBuilder().setPurgedThrough(run.getSlot()).build());
    }
  }

  private static ItemResult purgeRun(
      ApplyContext ctx, String runId, Map<String, Optional<Instant>> boundaries) {
    Optional<Run> found = ctx.batch().run(runId);
    if (found.isEmpty() || !found.get().getRunId().equals(runId)) {
      return Results.noSuchRun(runId);
    }
    Run run = found.get();
    if (Cancellation.isActive(run)) {
      return Results.itemRefused(
          ResultCode.WRONG_STATE, "run " + runId + " is " + run.getState() + ": only finished runs are purged");
    }
    Optional<JobSpec> spec = ctx.batch().job(run.getJob()).map(Job::getSpec);
    Duration keepFor = keepFor(spec);
    if (!oldEnough(ageOf(run), keepFor, ctx.leaderTime())) {
      return Results.itemRefused(
          ResultCode.WRONG_STATE, "run " + runId + " is younger than keep_for " + keepFor);
    }
    int keepLast = keepLast(spec);
    Optional<Instant> boundary =
        boundaries.computeIfAbsent(
            run.getJob(), job -> ctx.batch().committedNthNewestRunSlot(job, keepLast));
    if (boundary.isEmpty() || !Times.toInstant(run.getSlot()).isBefore(boundary.get())) {
      return Results.itemRefused(
          ResultCode.WRONG_STATE, "run " + runId + " is among the job's " + keepLast + " newest runs");
    }
    ctx.batch().deleteRun(run);
    markPurged(ctx, run);
    return Results.itemOk("purged " + runId);
  }

  private static ItemResult purgeSkipped(
      ApplyContext ctx, SkippedRef ref, Map<String, Optional<Instant>> boundaries) {
    Instant through = Times.toInstant(ref.getThrough());
    Optional<SkippedSlots> found = ctx.batch().skipped(ref.getJob(), through);
    if (found.isEmpty()) {
      return Results.itemRefused(
          ResultCode.NOT_FOUND, "no skipped range of '" + ref.getJob() + "' ends at " + through);
    }
    Optional<JobSpec> spec = ctx.batch().job(ref.getJob()).map(Job::getSpec);
    Duration keepFor = keepFor(spec);
    if (!oldEnough(through, keepFor, ctx.leaderTime())) {
      return Results.itemRefused(
          ResultCode.WRONG_STATE, "the skipped range through " + through + " is younger than keep_for");
    }
    int keepLast = keepLast(spec);
    Optional<Instant> boundary =
        boundaries.computeIfAbsent(
            ref.getJob(), job -> ctx.batch().committedNthNewestSkippedThrough(job, keepLast));
    if (boundary.isEmpty() || !through.isBefore(boundary.get())) {
      return Results.itemRefused(
          ResultCode.WRONG_STATE, "the skipped range through " + through + " is among the newest " + keepLast);
    }
    ctx.batch().deleteSkipped(found.get());
    return Results.itemOk();
  }
}
