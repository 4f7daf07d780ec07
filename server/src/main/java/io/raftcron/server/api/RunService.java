package io.raftcron.server.api;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.GetRunRequest;
import io.raftcron.proto.ListRunsRequest;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunServiceGrpc;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.store.SchedulerStore;

/** Run history: a job's runs newest first, and one run by id. */
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
    if (request.getJob().isEmpty()) {
      out.onError(Errors.invalid("job is required"));
      return;
    }
    if (request.getLimit() < 0 || request.getLimit() > MAX_LIMIT) {
      out.onError(Errors.invalid("limit must be between 1 and " + MAX_LIMIT));
      return;
    }
    int limit = request.getLimit() == 0 ? DEFAULT_LIMIT : request.getLimit();
    gateway.read(
        request.getStale(),
        out,
        () -> ListRunsResponse.newBuilder().addAllRuns(store.runs(request.getJob(), limit)).build());
  }

  @Override
  public void getRun(GetRunRequest request, StreamObserver<Run> out) {
    RunIds.RunRef ref = RunIds.parse(request.getRunId());
    if (ref == null) {
      out.onError(
          Errors.invalid(
              "'" + request.getRunId() + "' is not a run id (JOB@SLOT, e.g. backup@2026-01-01T00:00:00Z)"));
      return;
    }
    gateway.read(
        request.getStale(),
        out,
        () ->
            store
                .run(ref.job(), ref.slot())
                .orElseThrow(
                    () ->
                        Status.NOT_FOUND
                            .withDescription("run '" + request.getRunId() + "' does not exist")
                            .asRuntimeException()));
  }
}
