package io.raftcron.sm.applier;

import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;

/**
 * Cancelling a run, as a cancel request or an overlap {@code replace} does it: a run that no
 * worker holds ends CANCELLED at once; a leased run is marked, its worker learns it from the
 * heartbeat reply, stops, and completes it as CANCELLED (or its lease expires into CANCELLED).
 */
final class Cancellation {
  private Cancellation() {}

  static boolean isActive(Run run) {
    return run.getState() == RunState.QUEUED
        || run.getState() == RunState.LEASED
        || run.getState() == RunState.RETRY_WAIT;
  }

  /** The run after the cancel; the caller puts it back in the batch. */
  static Run cancel(ApplyContext ctx, Run run) {
    return switch (run.getState()) {
      case QUEUED -> {
        ctx.batch().dequeue(run);
        yield cancelled(ctx, run);
      }
      case RETRY_WAIT -> {
        ctx.batch().unscheduleRetry(run);
        yield cancelled(ctx, run);
      }
      case LEASED -> run.toBuilder().setCancelRequested(true).build();
      default -> run;
    };
  }

  private static Run cancelled(ApplyContext ctx, Run run) {
    return run.toBuilder()
        .setState(RunState.CANCELLED)
        .clearNextAttemptAt()
        .setFinishedAt(io.raftcron.sm.Times.toTimestamp(ctx.leaderTime()))
        .build();
  }
}
