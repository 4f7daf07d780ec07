package io.raftcron.server.api;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.CompleteRunRequest;
import io.raftcron.proto.CompleteRunResponse;
import io.raftcron.proto.CompleteRunsRequest;
import io.raftcron.proto.CompleteRunsResponse;
import io.raftcron.proto.Completion;
import io.raftcron.proto.HeartbeatRequest;
import io.raftcron.proto.HeartbeatResponse;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.LeaseState;
import io.raftcron.proto.PollRunsRequest;
import io.raftcron.proto.PollRunsResponse;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.WorkerServiceGrpc;
import io.raftcron.proto.LeaseRef;
import io.raftcron.server.auth.LeaseOwnership;
import io.raftcron.server.leader.Leadership;
import io.raftcron.sm.Limits;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Workers long-poll for runs, heartbeat their leases and report completions (one, or several in
 * one call); all are served by the leader (forwarded there from any other node).
 */
public final class WorkerService extends WorkerServiceGrpc.WorkerServiceImplBase {
  static final Duration MAX_WAIT = Duration.ofSeconds(60);

  private final Gateway gateway;
  private final Leadership leadership;
  private final LeaseOwnership ownership;

  public WorkerService(Gateway gateway, Leadership leadership, SchedulerStore store) {
    this.gateway = gateway;
    this.leadership = leadership;
    this.ownership = new LeaseOwnership(store);
  }

  @Override
  public void pollRuns(PollRunsRequest request, StreamObserver<PollRunsResponse> out) {
    String problem = Limits.workerIdProblem(request.getWorkerId());
    if (problem == null && (request.getMaxRuns() < 0 || request.getMaxRuns() > Limits.MAX_RUNS_PER_POLL)) {
      problem = "max_runs " + request.getMaxRuns() + " is out of range: from 1 to " + Limits.MAX_RUNS_PER_POLL
          + " (0 means 1)";
    }
    if (problem != null) {
      out.onError(Errors.invalid(problem));
      return;
    }
    com.google.protobuf.Duration asked = request.getWait();
    // Bounded before the conversion, which overflows for seconds near the long's limits.
    Duration wait = asked.getSeconds() < 0 || asked.getSeconds() > MAX_WAIT.toSeconds()
        ? Duration.ofSeconds(-1)
        : Duration.ofSeconds(asked.getSeconds(), asked.getNanos());
    if (wait.isNegative() || wait.compareTo(MAX_WAIT) > 0) {
      out.onError(Errors.invalid("wait must be between 0 and " + MAX_WAIT.toSeconds() + " s"));
      return;
    }
    // A caller that goes away (its deadline, a worker stopping) cancels the poll: the leader then
    // leases it nothing, and gives back what it leased while the call was ending.
    CompletableFuture<List<Run>> runs = new CompletableFuture<>();
    ((ServerCallStreamObserver<PollRunsResponse>) out).setOnCancelHandler(() -> runs.cancel(false));
    gateway.onLeader(
        WorkerServiceGrpc.getPollRunsMethod(),
        request,
        out,
        () -> {
          leadership.poll(request.getWorkerId(), Math.max(1, request.getMaxRuns()), wait, runs);
          return runs.thenApply(r -> PollRunsResponse.newBuilder().addAllRuns(r).build());
        });
  }

  @Override
  public void completeRun(CompleteRunRequest request, StreamObserver<CompleteRunResponse> out) {
    String problem = completionProblem(request.getCompletion());
    if (problem != null) {
      out.onError(Errors.invalid(problem));
      return;
    }
    gateway.onLeader(
        WorkerServiceGrpc.getCompleteRunMethod(),
        request,
        out,
        () -> {
          ownership.check(request.getCompletion().getRunId(), request.getCompletion().getFencingToken());
          return leadership
              .complete(request.getCompletion())
              .thenApply(result -> response(result.getItems(0)));
        });
  }

  /** All or nothing on malformed input: a request with one bad completion is refused whole. */
  @Override
  public void completeRuns(CompleteRunsRequest request, StreamObserver<CompleteRunsResponse> out) {
    String problem = Limits.workerIdProblem(request.getWorkerId());
    int count = request.getCompletionsCount();
    if (problem == null && (count < 1 || count > Limits.MAX_COMPLETIONS_PER_CALL)) {
      problem = "completions: " + count + " given, from 1 to " + Limits.MAX_COMPLETIONS_PER_CALL + " allowed";
    }
    for (int i = 0; problem == null && i < count; i++) {
      Completion completion = request.getCompletions(i);
      String itsProblem = completionProblem(completion);
      if (itsProblem != null) {
        problem = "completions[" + i + "]: " + itsProblem;
      } else if (!completion.getWorker().equals(request.getWorkerId())) {
        problem = "completions[" + i + "].worker '" + completion.getWorker() + "' is not worker_id '"
            + request.getWorkerId() + "'";
      }
    }
    if (problem != null) {
      out.onError(Errors.invalid(problem));
      return;
    }
    gateway.onLeader(
        WorkerServiceGrpc.getCompleteRunsMethod(),
        request,
        out,
        () -> {
          for (Completion completion : request.getCompletionsList()) {
            ownership.check(completion.getRunId(), completion.getFencingToken());
          }
          // Submitted together, they share the leader's CompleteRuns entries (CompletionBatcher).
          List<CompletableFuture<CompleteRunResponse>> results = request.getCompletionsList().stream()
              .map(completion -> leadership.complete(completion).thenApply(result -> response(result.getItems(0))))
              .toList();
          return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
              .thenApply(done -> CompleteRunsResponse.newBuilder()
                  .addAllResults(results.stream().map(CompletableFuture::join).toList())
                  .build());
        });
  }

  private static String completionProblem(Completion completion) {
    String problem = runIdProblem("completion.run_id", completion.getRunId());
    if (problem == null) {
      problem = Limits.workerIdProblem(completion.getWorker());
    }
    if (problem == null) {
      problem = Limits.completionTimesProblem(completion);
    }
    return problem == null ? null : problem.replace("worker_id", "completion.worker");
  }

  /** Why {@code runId} names no run a worker could hold, or null. */
  private static String runIdProblem(String field, String runId) {
    if (runId.isEmpty() || runId.length() > Limits.MAX_RUN_ID_LENGTH) {
      return field + " must be 1-" + Limits.MAX_RUN_ID_LENGTH + " characters";
    }
    return RunIds.parse(runId) == null ? field + " is not a run id (job@time, the time in RFC 3339 from 1970 to 9999)" : null;
  }

  @Override
  public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> out) {
    String problem = Limits.workerIdProblem(request.getWorkerId());
    if (problem == null && request.getLeasesCount() > Limits.MAX_LEASES_PER_HEARTBEAT) {
      problem = "leases: " + request.getLeasesCount() + " given, at most " + Limits.MAX_LEASES_PER_HEARTBEAT + " allowed";
    }
    for (int i = 0; problem == null && i < request.getLeasesCount(); i++) {
      problem = runIdProblem("leases[" + i + "].run_id", request.getLeases(i).getRunId());
    }
    if (problem != null) {
      out.onError(Errors.invalid(problem));
      return;
    }
    gateway.onLeader(
        WorkerServiceGrpc.getHeartbeatMethod(),
        request,
        out,
        () -> {
          for (LeaseRef lease : request.getLeasesList()) {
            ownership.check(lease.getRunId(), lease.getFencingToken());
          }
          CompletableFuture<List<LeaseState>> leases = new CompletableFuture<>();
          leadership.heartbeat(request.getWorkerId(), request.getLeasesList(), leases);
          return leases.thenApply(l -> HeartbeatResponse.newBuilder().addAllLeases(l).build());
        });
  }

  private static CompleteRunResponse response(ItemResult item) {
    return CompleteRunResponse.newBuilder()
        .setAccepted(item.getCode() == ResultCode.OK)
        .setCode(item.getCode())
        .setMessage(item.getMessage())
        .build();
  }
}
