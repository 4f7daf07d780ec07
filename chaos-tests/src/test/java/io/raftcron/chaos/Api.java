package io.raftcron.chaos;

import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import io.raftcron.proto.BackfillJobRequest;
import io.raftcron.proto.BackfillJobResponse;
import io.raftcron.proto.ClusterServiceGrpc;
import io.raftcron.proto.CreateJobRequest;
import io.raftcron.proto.DeleteJobRequest;
import io.raftcron.proto.GetJobRequest;
import io.raftcron.proto.GetNodeStatusRequest;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ListJobsRequest;
import io.raftcron.proto.ListRunsRequest;
import io.raftcron.proto.NodeStatus;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunServiceGrpc;
import io.raftcron.proto.UpdateJobRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Single-attempt gRPC calls to one node. Unlike {@code RaftcronClient}, nothing is retried: a
 * Jepsen client must see each attempt's own outcome (a retried write whose first attempt committed
 * would turn "unknown" into a wrong "refused").
 */
final class Api {
  private Api() {}

  static Optional<NodeStatus> status(ChaosCluster.Box node, Duration deadline) {
    try {
      return Optional.of(ClusterServiceGrpc.newBlockingStub(node.channel())
          .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .getNodeStatus(GetNodeStatusRequest.getDefaultInstance()));
    } catch (StatusRuntimeException e) {
      return Optional.empty();
    }
  }

  static JobServiceGrpc.JobServiceBlockingStub jobs(ChaosCluster.Box node, Duration deadline) {
    return JobServiceGrpc.newBlockingStub(node.channel()).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  static Job create(ChaosCluster.Box node, JobSpec spec, Duration deadline) {
    return jobs(node, deadline).createJob(CreateJobRequest.newBuilder().setSpec(spec).build());
  }

  static Job update(ChaosCluster.Box node, JobSpec spec, long expectedVersion, Duration deadline) {
    return jobs(node, deadline).updateJob(
        UpdateJobRequest.newBuilder().setSpec(spec).setExpectedVersion(expectedVersion).build());
  }

  static void delete(ChaosCluster.Box node, String name, Duration deadline) {
    jobs(node, deadline).deleteJob(DeleteJobRequest.newBuilder().setName(name).build());
  }

  static BackfillJobResponse backfill(ChaosCluster.Box node, String name, Instant from, Instant to,
      Duration deadline) {
    return jobs(node, deadline).backfillJob(BackfillJobRequest.newBuilder().setName(name)
        .setFrom(Timestamp.newBuilder().setSeconds(from.getEpochSecond()))
        .setTo(Timestamp.newBuilder().setSeconds(to.getEpochSecond())).build());
  }

  static Job get(ChaosCluster.Box node, String name, boolean stale, Duration deadline) {
    return jobs(node, deadline).getJob(GetJobRequest.newBuilder().setName(name).setStale(stale).build());
  }

  static List<Job> listJobs(ChaosCluster.Box node, boolean stale, Duration deadline) {
    return jobs(node, deadline).listJobs(ListJobsRequest.newBuilder().setStale(stale).build()).getJobsList();
  }

  static List<Run> runs(ChaosCluster.Box node, String job, boolean stale, Duration deadline) {
    return RunServiceGrpc.newBlockingStub(node.channel())
        .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .listRuns(ListRunsRequest.newBuilder().setJob(job).setLimit(10_000).setStale(stale).build())
        .getRunsList();
  }
}
