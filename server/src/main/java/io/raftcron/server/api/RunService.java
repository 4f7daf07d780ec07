package io.raftcron.server.api;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.CancelRun;
import io.raftcron.proto.CancelRunRequest;
import io.raftcron.proto.Command;
import io.raftcron.proto.GetRunRequest;
import io.raftcron.proto.ListRunsRequest;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunServiceGrpc;
import io.raftcron.proto.RunState;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.store.SchedulerStore;
import java.util.List;
import java.util.function.Predicate;

/**
 * Run history and control: runs newest first (of one job or of all, optionally in one state —
 * {@code state: FAILED} is the dead-letter view), one run by id, and cancel.
 */
public final class RunService extends RunServiceGrpc.RunServiceImplBase {
  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 10_000;

  private final Gateway gateway;
  private final SchedulerStore store;

  public RunService(Gateway gateway, SchedulerStore store) {
    this.gateway = gateway;
    this.store = store;
  }

  @Override
  public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> out) {
    if (request.getLimit() < 0 || request.getLimit() > MAX_LIMIT) {
      out.onError(Errors.invalid("limit must be between 1 and " + MAX_LIMIT));
      return;
    }
    if (request.getState() == RunState.UNRECOGNIZED) {
      out.onError(Errors.invalid("unknown run state " + request.getStateValue()));
      return;
    }
    int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit();
    RunState state = request.getState();
    Predicate<Run> filter =
        state == RunState.RUN_STATE_UNSPECIFIED ? run -> true : run -> run.getState() == state;
    gateway.read(
        request.getStale(),
        out,
        () -> {
          List<Run> runs =
              request.getJob().isEmpty()
                  ? store.runsOfAllJobs(limit, filter)
                  : store.runs(request.getJob(), limit, filter);
          return ListRunsResponse.newBuilder().addAllRuns(runs).build();
        });
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<Run> out) {
    RunIds.RunRef ref = RunIds.parse(request.getRunId());
    if (ref == null) {
      out.onError(notARunId(request.getRunId()));
      return;
    }
    gateway.read(
        request.getStale(),
        out,
        () ->
            store
                .run(ref.job(), ref.slot())
                // The key is (job, time): a made-up suffix on a real time names no run.
                .filter(run -> run.getRunId().equals(request.getRunId()))
                .orElseThrow(
                    () ->
                        Status.NOT_FOUND
                            .withDescription("run '" + request.getRunId() + "' does not exist")
                            .asRuntimeException()));
  }

  /**
   * Cancels a run through the log: a queued or retry-waiting run ends CANCELLED at once; a leased
   * one is marked cancel_requested, and its worker stops it when its next heartbeat learns so.
   */
  @Override
  public void cancelRun(CancelRunRequest request, StreamObserver<Run> out) {
    if (RunIds.parse(request.getRunId()) == null) {
      out.onError(notARunId(request.getRunId()));
      return;
    }
    gateway.write(
        RunServiceGrpc.getCancelRunMethod(),
        request,
        out,
        Command.newBuilder().setCancelRun(CancelRun.newBuilder().setRunId(request.getRunId())),
        result -> result.getItems(0).getRun());
  }

  private static RuntimeException notARunId(String runId) {
    return Errors.invalid(
        "'" + runId + "' is not a run id (JOB@SLOT, e.g. backup@2026-01-01T00:00:00Z)");
  }
}
