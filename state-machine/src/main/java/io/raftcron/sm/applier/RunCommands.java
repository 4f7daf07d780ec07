package io.raftcron.sm.applier;

import io.raftcron.proto.Attempt;
import io.raftcron.proto.CancelRun;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.ExpireLeases;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.LeaseExpiry;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.RefusedReport;
import io.raftcron.proto.RequeueRetries;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.Limits;
import io.raftcron.sm.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A run's life after its fire: lease grants (the grant's log index is the fencing token),
 * completions, lease expiries, retries and cancels. Completions and expiries are checked against
 * the run's current token; a refused completion is recorded on the run. The leader decides every
 * time (lease deadline, next attempt time) and stamps it into the command; this only checks and
 * records it.
 */
final class RunCommands {
  /** Refused completions kept per run (the newest). */
  static final int MAX_REFUSED_REPORTS = 10;

  private RunCommands() {}

  static CommandResult grant(ApplyContext ctx, GrantLeases grants) {
    return Results.forEach(grants.getGrantsList(), g -> grantOne(ctx, g));
  }

  static CommandResult complete(ApplyContext ctx, CompleteRuns completions) {
    return Results.forEach(completions.getCompletionsList(), c -> completeOne(ctx, c));
  }

  static CommandResult expire(ApplyContext ctx, ExpireLeases expiries) {
    return Results.forEach(expiries.getExpiriesList(), e -> expireOne(ctx, e));
  }

  static CommandResult requeue(ApplyContext ctx, RequeueRetries requeue) {
    return Results.forEach(requeue.getRunIdsList(), id -> requeueOne(ctx, id));
  }

  /** A user's cancel: refused for a run that has already ended. */
  static CommandResult cancel(ApplyContext ctx, CancelRun cancel) {
    Optional<Run> found = ctx.batch().run(cancel.getRunId());
    if (found.isEmpty()) {
      return Results.refused(ResultCode.NOT_FOUND, "run '" + cancel.getRunId() + "' does not exist");
    }
    Run run = found.get();
    if (!Cancellation.isActive(run)) {
      return Results.refused(
          ResultCode.WRONG_STATE, "run " + run.getRunId() + " has already ended: " + run.getState());
    }
    Run cancelled = Cancellation.cancel(ctx, run);
    ctx.batch().putRun(cancelled);
    return CommandResult.newBuilder().setCode(ResultCode.OK).addItems(Results.item(cancelled)).build();
  }

  private static ItemResult grantOne(ApplyContext ctx, LeaseGrant grant) {
    Optional<Run> found = ctx.batch().run(grant.getRunId());
    if (found.isEmpty()) {
      return Results.noSuchRun(grant.getRunId());
    }
    Run run = found.get();
    if (run.getState() != RunState.QUEUED) {
      return Results.itemRefused(
          ResultCode.WRONG_STATE, "run " + run.getRunId() + " is " + run.getState() + ", not QUEUED");
    }
    Run leased =
        run.toBuilder()
            .setState(RunState.LEASED)
            .setWorker(grant.getWorker())
            .setFencingToken(ctx.index())
            .setLeasedAt(Times.toTimestamp(ctx.leaderTime()))
            .setLeaseDeadline(grant.getDeadline())
            .build();
    ctx.batch().dequeue(run);
    ctx.batch().addLease(leased);
    ctx.batch().putRun(leased);
    return Results.item(leased);
  }

  private static ItemResult completeOne(ApplyContext ctx, Completion completion) {
    Optional<Run> found = ctx.batch().run(completion.getRunId());
    if (found.isEmpty()) {
      return Results.noSuchRun(completion.getRunId());
    }
    Run run = found.get();
    RunState outcome = RetryRules.outcomeOf(completion);
    if (outcome == null) {
      return Results.itemRefused(
          ResultCode.INVALID,
          "a completion's outcome is SUCCEEDED, FAILED, TIMED_OUT or CANCELLED, not "
              + completion.getOutcome());
    }
    String badTime = Limits.completionTimesProblem(completion);
    if (badTime != null) {
      return Results.itemRefused(ResultCode.INVALID, badTime); // checked at the API too; a run must stay readable
    }
    boolean underToken =
        run.getState() == RunState.LEASED && run.getFencingToken() == completion.getFencingToken();
    // Tokens are log indexes, easy to guess: the lease is the holder's only.
    boolean current = underToken && run.getWorker().equals(completion.getWorker());
    if (!current && ctx.safeguards().fenceCompletions()) {
      if (alreadyRecorded(run, completion.getFencingToken(), outcome)) {
        // The same report again (a retried call whose first try committed): nothing to change.
        return Results.item(run).toBuilder().setMessage(Applier.ALREADY_RECORDED).build();
      }
      ItemResult refused = underToken
          ? Results.itemRefused(ResultCode.STALE_TOKEN, "run " + run.getRunId() + " is leased under token "
              + run.getFencingToken() + " to worker " + run.getWorker() + ", not to "
              + Limits.tail(completion.getWorker(), Limits.MAX_WORKER_ID_LENGTH))
          : staleToken(run, completion.getFencingToken());
      ctx.batch().putRun(withRefusedReport(ctx, run, completion, refused.getMessage()));
      return refused;
    }
    String error = Limits.tail(completion.getError(), Limits.MAX_ERROR_BYTES);
    Attempt.Builder attempt =
        Attempt.newBuilder()
            .setAttempt(run.getAttempt())
            // The reporter's lease: the current one, unless the fencing safeguard is off.
            .setWorker(current ? run.getWorker() : completion.getWorker())
            .setFencingToken(completion.getFencingToken())
            .setOutcome(outcome)
            .setExitCode(completion.getExitCode())
            .setError(error);
    Run.Builder done =
        run.toBuilder().setExitCode(completion.getExitCode()).setError(error).clearStartedAt().clearFinishedAt();
    // Times the worker did not report stay unset: an empty one would read as 1970 (see Retention.ageOf).
    if (completion.hasStartedAt()) {
      attempt.setStartedAt(completion.getStartedAt());
      done.setStartedAt(completion.getStartedAt());
    }
    if (completion.hasFinishedAt()) {
      attempt.setFinishedAt(completion.getFinishedAt());
      done.setFinishedAt(completion.getFinishedAt());
    }
    done.addAttempts(attempt);
    ctx.batch().removeLease(run);
    if (completion.hasRetryAt() && RetryRules.retries(run, outcome)) {
      Run waiting =
          done.setState(RunState.RETRY_WAIT).setNextAttemptAt(completion.getRetryAt()).build();
      ctx.batch().putRun(waiting);
      ctx.batch().scheduleRetry(waiting);
      return Results.item(waiting);
    }
    Run ended = done.setState(outcome).clearNextAttemptAt().build();
    ctx.batch().putRun(ended);
    return Results.item(ended);
  }

  private static ItemResult expireOne(ApplyContext ctx, LeaseExpiry expiry) {
    Optional<Run> found = ctx.batch().run(expiry.getRunId());
    if (found.isEmpty()) {
      return Results.noSuchRun(expiry.getRunId());
    }
    Run run = found.get();
    if (run.getState() != RunState.LEASED || run.getFencingToken() != expiry.getFencingToken()) {
      return staleToken(run, expiry.getFencingToken());
    }
    ctx.batch().removeLease(run);
    if (run.getCancelRequested()) {
      // Cancelled while leased, and its worker never confirmed: it ends here, not in the queue.
      Run cancelled =
          run.toBuilder()
              .setState(RunState.CANCELLED)
              .setFinishedAt(Times.toTimestamp(ctx.leaderTime()))
              .addAttempts(
                  Attempt.newBuilder()
                      .setAttempt(run.getAttempt())
                      .setWorker(run.getWorker())
                      .setFencingToken(run.getFencingToken())
                      .setFinishedAt(Times.toTimestamp(ctx.leaderTime()))
                      .setOutcome(RunState.CANCELLED)
                      .setError("cancelled; the lease expired before the worker confirmed"))
              .build();
      ctx.batch().putRun(cancelled);
      return Results.item(cancelled);
    }
    // Back to the queue at its slot's place; the old token stays on record until the next grant.
    Run requeued =
        run.toBuilder()
            .setState(RunState.QUEUED)
            .setExpiredLeases(run.getExpiredLeases() + 1)
            .build();
    ctx.batch().enqueue(requeued);
    ctx.batch().putRun(requeued);
    return Results.item(requeued);
  }

  private static ItemResult requeueOne(ApplyContext ctx, String runId) {
    Optional<Run> found = ctx.batch().run(runId);
    if (found.isEmpty()) {
      return Results.noSuchRun(runId);
    }
    Run run = found.get();
    if (run.getState() != RunState.RETRY_WAIT) {
      return Results.itemRefused(
          ResultCode.WRONG_STATE, "run " + run.getRunId() + " is " + run.getState() + ", not RETRY_WAIT");
    }
    Instant due = Times.toInstant(run.getNextAttemptAt());
    if (due.isAfter(ctx.leaderTime())) {
      return Results.itemRefused(
          ResultCode.INVALID, "run " + run.getRunId() + " retries at " + due + ", not before");
    }
    Run queued =
        run.toBuilder()
            .setState(RunState.QUEUED)
            .setAttempt(run.getAttempt() + 1)
            .clearNextAttemptAt()
            .build();
    ctx.batch().unscheduleRetry(run);
    ctx.batch().enqueue(queued);
    ctx.batch().putRun(queued);
    return Results.item(queued);
  }

  private static boolean alreadyRecorded(Run run, long token, RunState outcome) {
    return token != 0
        && run.getAttemptsList().stream()
            .anyMatch(a -> a.getFencingToken() == token && a.getOutcome() == outcome);
  }

  private static Run withRefusedReport(
      ApplyContext ctx, Run run, Completion completion, String reason) {
    List<RefusedReport> reports = new ArrayList<>(run.getRefusedReportsList());
    reports.add(
        RefusedReport.newBuilder()
            .setWorker(Limits.tail(completion.getWorker(), Limits.MAX_WORKER_ID_LENGTH))
            .setFencingToken(completion.getFencingToken())
            .setAt(Times.toTimestamp(ctx.leaderTime()))
            .setReason(reason)
            .build());
    List<RefusedReport> kept =
        reports.subList(Math.max(0, reports.size() - MAX_REFUSED_REPORTS), reports.size());
    return run.toBuilder().clearRefusedReports().addAllRefusedReports(kept).build();
  }

  private static ItemResult staleToken(Run run, long token) {
    String holder =
        run.getState() == RunState.LEASED
            ? "is leased under token " + run.getFencingToken()
            : "is " + run.getState();
    return Results.itemRefused(
        ResultCode.STALE_TOKEN,
        "fencing token " + token + " is stale: run " + run.getRunId() + " " + holder);
  }
}
