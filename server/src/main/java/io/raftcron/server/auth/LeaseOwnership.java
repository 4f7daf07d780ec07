package io.raftcron.server.auth;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.store.SchedulerStore;

/**
 * A worker token acts only on its own leases. Fencing tokens are log indexes, easy to guess, so
 * the leader also checks that a live lease named in a heartbeat or completion is held by the
 * caller's worker id. A stale token passes through: the applier refuses it and records it.
 */
public final class LeaseOwnership {
  private final SchedulerStore store;

  public LeaseOwnership(SchedulerStore store) {
    this.store = store;
  }

  /** Throws PERMISSION_DENIED if a worker caller names another worker's live lease. */
  public void check(String runId, long fencingToken) {
    Principal caller = Principal.current().orElse(null);
    if (caller == null || caller.role() != Role.WORKER) {
      return;
    }
    Run run = store.run(runId).orElse(null);
    if (run != null && run.getState() == RunState.LEASED && run.getFencingToken() == fencingToken
        && !caller.workerId().equals(run.getWorker())) {
      throw deny(caller, runId);
    }
  }

  private static StatusRuntimeException deny(Principal caller, String runId) {
    return Status.PERMISSION_DENIED
        .withDescription(caller + " may not act on run " + runId + ": its lease is held by another worker")
        .asRuntimeException();
  }
}
