package io.raftcron.sm.applier;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.ExpireLeases;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.LeaseExpiry;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import java.util.Optional;
import java.util.function.Function;

/**
 * A run's life after its fire: lease grants (the grant's log index is the fencing token),
 * completions and lease expiries, each checked against the run's current token.
 */
final class RunCommands {
  private RunCommands() {}

  static CommandResult grant(ApplyContext ctx, GrantLeases grants) {
    return forEach(grants.getGrantsList(), g -> grantOne(ctx, g));
  }

  static CommandResult complete(ApplyContext ctx, CompleteRuns completions) {
    return forEach(completions.getCompletionsList(), c -> completeOne(ctx, c));
  }

  static CommandResult expire(ApplyContext ctx, ExpireLeases expiries) {
    return forEach(expiries.getExpiriesList(), e -> expireOne(ctx, e));
  }

  private static ItemResult grantOne(ApplyContext ctx, LeaseGrant grant) {
    Optional<Run> found = find(ctx, grant.getRunId());
    if (found.isEmpty()) {
      return unknownRun(grant.getRunId());
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
    Optional<Run> found = find(ctx, completion.getRunId());
    if (found.isEmpty()) {
      return unknownRun(completion.getRunId());
    }
    Run run = found.get();
    if (run.getState() != RunState.LEASED || run.getFencingToken() != completion.getFencingToken()) {
      return staleToken(run, completion.getFencingToken());
    }
    Run done =
        run.toBuilder()
            .setState(completion.getSucceeded() ? RunState.SUCCEEDED : RunState.FAILED)
            .setExitCode(completion.getExitCode())
            .setError(completion.getError())
            .setStartedAt(completion.getStartedAt())
            .setFinishedAt(completion.getFinishedAt())
            .build();
    ctx.batch().removeLease(run);
    ctx.batch().putRun(done);
    return Results.item(done);
  }

  private static ItemResult expireOne(ApplyContext ctx, LeaseExpiry expiry) {
    Optional<Run> found = find(ctx, expiry.getRunId());
    if (found.isEmpty()) {
      return unknownRun(expiry.getRunId());
    }
    Run run = found.get();
    if (run.getState() != RunState.LEASED || run.getFencingToken() != expiry.getFencingToken()) {
      return staleToken(run, expiry.getFencingToken());
    }
    // Back to the queue at its slot's place; the old token stays on record until the next grant.
    Run requeued =
        run.toBuilder()
            .setState(RunState.QUEUED)
            .setExpiredLeases(run.getExpiredLeases() + 1)
            .build();
    ctx.batch().removeLease(run);
    ctx.batch().enqueue(requeued);
    ctx.batch().putRun(requeued);
    return Results.item(requeued);
  }

  private static Optional<Run> find(ApplyContext ctx, String runId) {
    RunIds.RunRef ref = RunIds.parse(runId);
    return ref == null ? Optional.empty() : ctx.batch().run(ref.job(), ref.slot());
  }

  private static ItemResult unknownRun(String runId) {
    return Results.itemRefused(ResultCode.NOT_FOUND, "run '" + runId + "' does not exist");
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

  private static <T> CommandResult forEach(Iterable<T> items, Function<T, ItemResult> action) {
    CommandResult.Builder result = CommandResult.newBuilder().setCode(ResultCode.OK);
    for (T item : items) {
      result.addItems(action.apply(item));
    }
    return result.build();
  }
}
