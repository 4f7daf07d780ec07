package io.raftcron.sm.applier;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ResultCode;
import io.raftcron.sm.Safeguards;
import io.raftcron.sm.schedule.InvalidScheduleException;
import io.raftcron.sm.store.SchedulerStore;
import io.raftcron.sm.store.StoreBatch;

/**
 * The one dispatch point of committed commands, and the only writer of the store. Applying is
 * deterministic: it reads nothing but the command, its log index and the store. A command that
 * breaks a rule is recorded as refused in its result (identically on every replica); a command
 * that cannot be applied at all throws, which stops the node. A command whose values are out of
 * range (a time past year 9999, an overflowing duration) is refused as a whole, with nothing of it
 * written: every replica computes the same refusal, so none forks, and one bad entry cannot stop
 * every node of the cluster for good.
 */
public final class Applier {
  /** The message of an OK item that changed nothing: the same completion was recorded before. */
  public static final String ALREADY_RECORDED = "already recorded";

  private final SchedulerStore store;
  private final Safeguards safeguards;

  public Applier(SchedulerStore store) {
    this(store, Safeguards.ENFORCED);
  }

  public Applier(SchedulerStore store, Safeguards safeguards) {
    this.store = store;
    this.safeguards = safeguards;
  }

  public CommandResult apply(long index, Command command) {
    StoreBatch batch = store.batch();
    CommandResult result;
    try {
      result = dispatch(index, command, batch);
    } catch (InvalidScheduleException unreadable) {
      // Commands' specs are validated before they are stored, so this is a stored job this replica reads
      // differently (another time-zone database): going on would part it from the others.
      throw new UnappliableCommandException(
          "entry " + index + " needs a stored job's schedule, which this node cannot read: " + unreadable.getMessage(),
          unreadable);
    } catch (java.time.DateTimeException | ArithmeticException | IllegalArgumentException outOfRange) {
      batch = store.batch(); // drop whatever the command had written so far
      result = Results.refused(ResultCode.INVALID,
          "entry " + index + " holds a value out of range and was not applied: " + outOfRange.getMessage());
    }
    store.commit(batch, index);
    return result;
  }

  private CommandResult dispatch(long index, Command command, StoreBatch batch) {
    ApplyContext ctx = ApplyContext.of(index, command, batch, safeguards);
    return
        switch (command.getOpCase()) {
          case PUT_JOB -> JobCommands.put(ctx, command.getPutJob());
          case DELETE_JOB -> JobCommands.delete(ctx, command.getDeleteJob());
          case FIRE_SLOTS -> FireCommands.fire(ctx, command.getFireSlots());
          case GRANT_LEASES -> RunCommands.grant(ctx, command.getGrantLeases());
          case COMPLETE_RUNS -> RunCommands.complete(ctx, command.getCompleteRuns());
          case EXPIRE_LEASES -> RunCommands.expire(ctx, command.getExpireLeases());
          case REGISTER_NODE -> registerNode(ctx, command);
          case UNREGISTER_NODE -> unregisterNode(ctx, command);
          case CANCEL_RUN -> RunCommands.cancel(ctx, command.getCancelRun());
          case REQUEUE_RETRIES -> RunCommands.requeue(ctx, command.getRequeueRetries());
          case PAUSE_JOB -> JobStateCommands.pause(ctx, command.getPauseJob());
          case RESUME_JOB -> JobStateCommands.resume(ctx, command.getResumeJob());
          case TRIGGER_JOB -> ManualRuns.trigger(ctx, command.getTriggerJob());
          case BACKFILL_JOB -> ManualRuns.backfill(ctx, command.getBackfillJob());
          case PURGE_RUNS -> Retention.purge(ctx, command.getPurgeRuns());
          case RAISE_ALERTS -> AlertCommands.raise(ctx, command.getRaiseAlerts());
          case RESOLVE_ALERTS -> AlertCommands.resolve(ctx, command.getResolveAlerts());
          case MARK_ALERTS_NOTIFIED -> AlertCommands.markNotified(ctx, command.getMarkAlertsNotified());
          case OP_NOT_SET ->
              throw new UnappliableCommandException(
                  "entry " + index + " carries no operation this version knows", null);
        };
  }

  private static CommandResult registerNode(ApplyContext ctx, Command command) {
    var node = command.getRegisterNode().getNode();
    if (node.getNodeId().isEmpty() || node.getRaftAddr().isEmpty() || node.getGrpcAddr().isEmpty()) {
      return Results.refused(ResultCode.INVALID, "a node needs an id, a raft and a gRPC address");
    }
    ctx.batch().putNode(node);
    return Results.ok();
  }

  private static CommandResult unregisterNode(ApplyContext ctx, Command command) {
    String nodeId = command.getUnregisterNode().getNodeId();
    if (nodeId.isEmpty()) {
      return Results.refused(ResultCode.INVALID, "unregistering a node needs its id");
    }
    ctx.batch().deleteNode(nodeId); // a node that is not registered stays so
    return Results.ok();
  }
}
