package io.raftcron.server.auth;

import io.grpc.MethodDescriptor;
import io.raftcron.proto.AlertServiceGrpc;
import io.raftcron.proto.ClusterServiceGrpc;
import io.raftcron.proto.CompleteRunRequest;
import io.raftcron.proto.CompleteRunsRequest;
import io.raftcron.proto.HeartbeatRequest;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.PollRunsRequest;
import io.raftcron.proto.RunServiceGrpc;
import io.raftcron.proto.WorkerServiceGrpc;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The one table of which role each gRPC method needs. A method missing from it needs
 * {@link Role#ADMIN}, so that a method added later is closed until someone opens it here.
 * Worker methods also name the worker id in their request, which a worker token must match.
 */
public final class MethodAccess {
  /** What a method needs; {@code workerId} reads the worker id from its request, or is null. */
  record Rule(Role role, Function<Object, String> workerId) {}

  private static final Rule ADMIN_ONLY = new Rule(Role.ADMIN, null);
  private static final Map<String, Rule> RULES = new HashMap<>();

  static {
    allow(Role.OPERATOR,
        JobServiceGrpc.getCreateJobMethod(),
        JobServiceGrpc.getUpdateJobMethod(),
        JobServiceGrpc.getDeleteJobMethod(),
        JobServiceGrpc.getPauseJobMethod(),
        JobServiceGrpc.getResumeJobMethod(),
        JobServiceGrpc.getTriggerJobMethod(),
        JobServiceGrpc.getBackfillJobMethod(),
        RunServiceGrpc.getCancelRunMethod());
    allow(Role.VIEWER,
        JobServiceGrpc.getGetJobMethod(),
        JobServiceGrpc.getListJobsMethod(),
        JobServiceGrpc.getPreviewJobMethod(),
        JobServiceGrpc.getExplainSlotMethod(),
        RunServiceGrpc.getListRunsMethod(),
        RunServiceGrpc.getGetRunMethod(),
        ClusterServiceGrpc.getGetStatusMethod(),
        ClusterServiceGrpc.getGetNodeStatusMethod(),
        AlertServiceGrpc.getListAlertsMethod());
    allow(Role.ADMIN, ClusterServiceGrpc.getRegisterNodeMethod());
    worker(WorkerServiceGrpc.getPollRunsMethod(), r -> ((PollRunsRequest) r).getWorkerId());
    worker(WorkerServiceGrpc.getHeartbeatMethod(), r -> ((HeartbeatRequest) r).getWorkerId());
    worker(WorkerServiceGrpc.getCompleteRunMethod(), r -> ((CompleteRunRequest) r).getCompletion().getWorker());
    // The service checks that every completion's worker is this one.
    worker(WorkerServiceGrpc.getCompleteRunsMethod(), r -> ((CompleteRunsRequest) r).getWorkerId());
  }

  private MethodAccess() {}

  static Rule of(String fullMethodName) {
    return RULES.getOrDefault(fullMethodName, ADMIN_ONLY);
  }

  private static void allow(Role role, MethodDescriptor<?, ?>... methods) {
    for (MethodDescriptor<?, ?> method : methods) {
      RULES.put(method.getFullMethodName(), new Rule(role, null));
    }
  }

  private static void worker(MethodDescriptor<?, ?> method, Function<Object, String> workerId) {
    RULES.put(method.getFullMethodName(), new Rule(Role.WORKER, workerId));
  }
}
