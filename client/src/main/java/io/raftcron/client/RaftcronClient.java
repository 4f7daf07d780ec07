package io.raftcron.client;

import io.grpc.Channel;
import io.grpc.ConnectivityState;
import io.grpc.Deadline;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftcron.proto.CancelRunRequest;
import io.raftcron.proto.BackfillJobRequest;
import io.raftcron.proto.BackfillJobResponse;
import io.raftcron.proto.AddNodeRequest;
import io.raftcron.proto.BackupRequest;
import io.raftcron.proto.ClusterServiceGrpc;
import io.raftcron.proto.MembershipResponse;
import io.raftcron.proto.RemoveNodeRequest;
import io.raftcron.proto.SnapshotRequest;
import io.raftcron.proto.SnapshotResponse;
import io.raftcron.proto.TransferLeaderRequest;
import io.raftcron.proto.TransferLeaderResponse;
import io.raftcron.proto.ExplainSlotRequest;
import io.raftcron.proto.PauseJobRequest;
import io.raftcron.proto.PreviewJobRequest;
import io.raftcron.proto.PreviewJobResponse;
import io.raftcron.proto.ResumeJobRequest;
import io.raftcron.proto.SlotExplanation;
import io.raftcron.proto.TriggerJobRequest;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.CompleteRunRequest;
import io.raftcron.proto.CompleteRunResponse;
import io.raftcron.proto.CompleteRunsRequest;
import io.raftcron.proto.CompleteRunsResponse;
import io.raftcron.proto.Completion;
import io.raftcron.proto.CreateJobRequest;
import io.raftcron.proto.DeleteJobRequest;
import io.raftcron.proto.GetJobRequest;
import io.raftcron.proto.GetRunRequest;
import io.raftcron.proto.GetStatusRequest;
import io.raftcron.proto.HeartbeatRequest;
import io.raftcron.proto.HeartbeatResponse;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.LeaseRef;
import io.raftcron.proto.ListJobsRequest;
import io.raftcron.proto.ListJobsResponse;
import io.raftcron.proto.ListRunsRequest;
import io.raftcron.proto.PollRunsRequest;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunServiceGrpc;
import io.raftcron.proto.RunState;
import io.raftcron.proto.UpdateJobRequest;
import io.raftcron.proto.WorkerServiceGrpc;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client for a raftcron cluster. Every node accepts every call (followers forward writes to the
 * leader), so the client only fails over: it sticks to one endpoint and moves to the next when
 * that one is UNAVAILABLE, with capped exponential backoff, until the call's deadline.
 */
public final class RaftcronClient implements AutoCloseable {
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  private static final Logger log = LoggerFactory.getLogger(RaftcronClient.class);
  private static final long FIRST_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 1_000;
  private static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

  /** One gRPC call against one endpoint; the deadline is what is left of the overall budget. */
  @FunctionalInterface
  public interface Rpc<T> {
    T call(Channel channel, Deadline deadline);
  }

  private final List<String> endpoints;
  private final List<ManagedChannel> channels;
  private final Duration callDeadline;
  private final AtomicInteger current = new AtomicInteger();

  private RaftcronClient(List<String> endpoints, Duration callDeadline, ClientSecurity security) {
    this.endpoints = List.copyOf(endpoints);
    this.callDeadline = callDeadline;
    this.channels = new ArrayList<>();
    for (String endpoint : this.endpoints) {
      HostPort hostPort = HostPort.parse(endpoint);
      channels.add(security.channel(hostPort.host(), hostPort.port()));
    }
  }

  public static RaftcronClient connect(List<String> endpoints) {
    return connect(endpoints, DEFAULT_DEADLINE);
  }

  /** Channels connect lazily: this never fails because a node is down. */
  public static RaftcronClient connect(List<String> endpoints, Duration callDeadline) {
    return connect(endpoints, callDeadline, ClientSecurity.NONE);
  }

  /** As {@link #connect(List, Duration)}, with a token and TLS. */
  public static RaftcronClient connect(List<String> endpoints, Duration callDeadline, ClientSecurity security) {
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no cluster endpoints given");
    }
    if (callDeadline.isNegative() || callDeadline.isZero()) {
      throw new IllegalArgumentException("call deadline must be positive: " + callDeadline);
    }
    return new RaftcronClient(endpoints, callDeadline, security);
  }

  /** Parses "host:port,host:port"; blanks around commas are ignored. */
  public static List<String> parseEndpoints(String commaSeparated) {
    List<String> endpoints = new ArrayList<>();
    for (String part : commaSeparated.split(",")) {
      String endpoint = part.trim();
      if (!endpoint.isEmpty()) {
        HostPort.parse(endpoint);
        endpoints.add(endpoint);
      }
    }
    if (endpoints.isEmpty()) {
      throw new IllegalArgumentException("no endpoints in '" + commaSeparated + "'");
    }
    return List.copyOf(endpoints);
  }

  public List<String> endpoints() {
    return endpoints;
  }

  public Job createJob(JobSpec spec) {
    return call((ch, deadline) -> jobs(ch, deadline).createJob(CreateJobRequest.newBuilder().setSpec(spec).build()));
  }

  public Job updateJob(JobSpec spec, long expectedVersion) {
    UpdateJobRequest request =
        UpdateJobRequest.newBuilder().setSpec(spec).setExpectedVersion(expectedVersion).build();
    return call((ch, deadline) -> jobs(ch, deadline).updateJob(request));
  }

  public void deleteJob(String name) {
    deleteJob(name, 0);
  }

  /** Deletes the job if it is still at {@code expectedVersion} (0: whatever its version). */
  public void deleteJob(String name, long expectedVersion) {
    DeleteJobRequest request = DeleteJobRequest.newBuilder().setName(name).setExpectedVersion(expectedVersion).build();
    call((ch, deadline) -> jobs(ch, deadline).deleteJob(request));
  }

  public Job getJob(String name) {
    return call((ch, deadline) -> jobs(ch, deadline).getJob(GetJobRequest.newBuilder().setName(name).build()));
  }

  /** Every job, in name order, read a page at a time. */
  public List<Job> listJobs() {
    List<Job> jobs = new ArrayList<>();
    String token = "";
    do {
      ListJobsResponse page = listJobs(0, token);
      jobs.addAll(page.getJobsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return jobs;
  }

  /** One page of jobs in name order ({@code pageSize} 0: the server's default), from {@code pageToken} ("" first). */
  public ListJobsResponse listJobs(int pageSize, String pageToken) {
    ListJobsRequest request = ListJobsRequest.newBuilder().setPageSize(pageSize).setPageToken(pageToken).build();
    return call((ch, deadline) -> jobs(ch, deadline).listJobs(request));
  }

  /** Newest first; a limit of 0 lets the server choose (100). */
  public List<Run> listRuns(String job, int limit) {
    ListRunsRequest request = ListRunsRequest.newBuilder().setJob(job).setLimit(limit).build();
    return call((ch, deadline) -> runs(ch, deadline).listRuns(request).getRunsList());
  }

  /**
   * Newest first, across every job when {@code job} is empty, only runs in {@code state} unless it
   * is null or RUN_STATE_UNSPECIFIED; a limit of 0 lets the server choose (100).
   */
  public List<Run> listRuns(String job, RunState state, int limit) {
    ListRunsRequest.Builder request = ListRunsRequest.newBuilder().setJob(job == null ? "" : job).setLimit(limit);
    if (state != null) {
      request.setState(state);
    }
    return call((ch, deadline) -> runs(ch, deadline).listRuns(request.build()).getRunsList());
  }

  /** Cancels a run; a leased run is only marked, and ends when its worker stops it. */
  public Run cancelRun(String runId) {
    return call((ch, deadline) -> runs(ch, deadline).cancelRun(CancelRunRequest.newBuilder().setRunId(runId).build()));
  }

  public Run getRun(String runId) {
    return call((ch, deadline) -> runs(ch, deadline).getRun(GetRunRequest.newBuilder().setRunId(runId).build()));
  }

  /** The built-in alerts: the firing ones, or every recorded one with {@code includeResolved}. */
  public List<io.raftcron.proto.Alert> listAlerts(boolean includeResolved) {
    io.raftcron.proto.ListAlertsRequest request =
        io.raftcron.proto.ListAlertsRequest.newBuilder().setIncludeResolved(includeResolved).build();
    return call((ch, deadline) ->
        io.raftcron.proto.AlertServiceGrpc.newBlockingStub(ch).withDeadline(deadline).listAlerts(request).getAlertsList());
  }

  public ClusterStatus clusterStatus() {
    return call((ch, deadline) -> ClusterServiceGrpc.newBlockingStub(ch).withDeadline(deadline)
        .getStatus(GetStatusRequest.getDefaultInstance()));
  }

  /** Adds a node (started with {@code server --join}) to the configuration; answers the new configuration. */
  public MembershipResponse addNode(String raftAddr, String nodeId) {
    AddNodeRequest request = AddNodeRequest.newBuilder().setRaftAddr(raftAddr).setNodeId(nodeId).build();
    return call((ch, deadline) -> cluster(ch, deadline).addNode(request));
  }

  /** Removes a node, given by raft address or registered id (the other empty); answers the new configuration. */
  public MembershipResponse removeNode(String raftAddr, String nodeId) {
    RemoveNodeRequest request = RemoveNodeRequest.newBuilder().setRaftAddr(raftAddr).setNodeId(nodeId).build();
    return call((ch, deadline) -> cluster(ch, deadline).removeNode(request));
  }

  /** Starts moving leadership to {@code raftAddr} (empty: the most up-to-date voter). */
  public TransferLeaderResponse transferLeader(String raftAddr) {
    TransferLeaderRequest request = TransferLeaderRequest.newBuilder().setRaftAddr(raftAddr).build();
    return call((ch, deadline) -> cluster(ch, deadline).transferLeader(request));
  }

  /** Makes the leader snapshot its state now (and compact its log). */
  public SnapshotResponse snapshot() {
    return call((ch, deadline) -> cluster(ch, deadline).snapshot(SnapshotRequest.getDefaultInstance()));
  }

  /**
   * Streams a backup of the cluster's state into {@code target} (replaced); a node that fails mid-way is left for
   * the next, which starts the file again.
   */
  public void backup(java.nio.file.Path target) {
    call((ch, deadline) -> {
      try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(target)) {
        var chunks = ClusterServiceGrpc.newBlockingStub(ch).withDeadline(deadline)
            .backup(BackupRequest.getDefaultInstance());
        while (chunks.hasNext()) {
          chunks.next().getData().writeTo(out);
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot write " + target, e);
      }
      return null;
    });
  }

  private static ClusterServiceGrpc.ClusterServiceBlockingStub cluster(Channel channel, Deadline deadline) {
    return ClusterServiceGrpc.newBlockingStub(channel).withDeadline(deadline);
  }

  /** Long poll: the call may take up to {@code wait}, so its budget is wait plus 10 seconds. */
  public List<Run> pollRuns(String workerId, int maxRuns, Duration wait) {
    PollRunsRequest request = PollRunsRequest.newBuilder()
        .setWorkerId(workerId)
        .setMaxRuns(maxRuns)
        .setWait(com.google.protobuf.Duration.newBuilder().setSeconds(wait.getSeconds()).setNanos(wait.getNano()))
        .build();
    // A try after a failover asks only for what is left of the wait: else the node would hold the poll
    // past this call's deadline, and could lease runs to it when nobody reads the answer any more.
    return call(wait.plusSeconds(10), (ch, deadline) -> {
      long left = Math.max(0, deadline.timeRemaining(TimeUnit.MILLISECONDS) - 10_000);
      PollRunsRequest attempt = left >= wait.toMillis() ? request
          : request.toBuilder().setWait(com.google.protobuf.Duration.newBuilder()
              .setSeconds(left / 1000).setNanos((int) (left % 1000) * 1_000_000)).build();
      return WorkerServiceGrpc.newBlockingStub(ch).withDeadline(deadline).pollRuns(attempt).getRunsList();
    });
  }

  public CompleteRunResponse completeRun(Completion completion) {
    CompleteRunRequest request = CompleteRunRequest.newBuilder().setCompletion(completion).build();
    return call((ch, deadline) -> WorkerServiceGrpc.newBlockingStub(ch).withDeadline(deadline).completeRun(request));
  }

  /** Several of one worker's completions in one call; the reply answers each, in order. */
  public CompleteRunsResponse completeRuns(String workerId, List<Completion> completions) {
    CompleteRunsRequest request =
        CompleteRunsRequest.newBuilder().setWorkerId(workerId).addAllCompletions(completions).build();
    return call((ch, deadline) -> WorkerServiceGrpc.newBlockingStub(ch).withDeadline(deadline).completeRuns(request));
  }

  /** Extends the worker's leases; the reply says, per lease, HELD, LOST or CANCEL. */
  public HeartbeatResponse heartbeat(String workerId, List<LeaseRef> leases, Duration budget) {
    HeartbeatRequest request = HeartbeatRequest.newBuilder().setWorkerId(workerId).addAllLeases(leases).build();
    return call(budget, (ch, deadline) -> WorkerServiceGrpc.newBlockingStub(ch).withDeadline(deadline).heartbeat(request));
  }

  public Job pauseJob(String name) {
    return call((ch, deadline) -> jobs(ch, deadline).pauseJob(PauseJobRequest.newBuilder().setName(name).build()));
  }

  public Job resumeJob(String name) {
    return call((ch, deadline) -> jobs(ch, deadline).resumeJob(ResumeJobRequest.newBuilder().setName(name).build()));
  }

  /**
   * A manual run now; with a non-empty request id, a repeated call answers the same run. Without one, the call gets
   * its own (a random UUID): an UNAVAILABLE answer may come after the trigger committed ("may or may not have been
   * committed", or a connection lost mid-call), and the retry must then answer that run rather than fire again.
   */
  public Run triggerJob(String name, String requestId) {
    String key = requestId == null || requestId.isEmpty() ? java.util.UUID.randomUUID().toString() : requestId;
    TriggerJobRequest request = TriggerJobRequest.newBuilder().setName(name).setRequestId(key).build();
    return call((ch, deadline) -> jobs(ch, deadline).triggerJob(request));
  }

  /** Fires the slots in (from, to] that have no fire decision yet. */
  public BackfillJobResponse backfillJob(String name, java.time.Instant from, java.time.Instant to) {
    BackfillJobRequest request = BackfillJobRequest.newBuilder()
        .setName(name)
        .setFrom(timestamp(from))
        .setTo(timestamp(to))
        .build();
    return call((ch, deadline) -> jobs(ch, deadline).backfillJob(request));
  }

  /** The next {@code count} slots (0: 10) in UTC and in the job's zone. */
  public PreviewJobResponse previewJob(String name, int count) {
    PreviewJobRequest request = PreviewJobRequest.newBuilder().setName(name).setCount(count).build();
    return call((ch, deadline) -> jobs(ch, deadline).previewJob(request));
  }

  /** Why a slot ran or did not. */
  public SlotExplanation explainSlot(String name, java.time.Instant slot) {
    ExplainSlotRequest request = ExplainSlotRequest.newBuilder().setName(name).setSlot(timestamp(slot)).build();
    return call((ch, deadline) -> jobs(ch, deadline).explainSlot(request));
  }

  private static com.google.protobuf.Timestamp timestamp(java.time.Instant t) {
    return com.google.protobuf.Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
  }

  /** Runs {@code rpc} with failover within the client's default call deadline. */
  public <T> T call(Rpc<T> rpc) {
    return call(callDeadline, rpc);
  }

  /**
   * Runs {@code rpc} against the current endpoint; on UNAVAILABLE moves to the next one and tries
   * again after a backoff, until {@code budget} is spent. Any other status is thrown at once. A call
   * that got no answer within the budget moves the next call on to the next endpoint.
   */
  public <T> T call(Duration budget, Rpc<T> rpc) {
    Deadline deadline = Deadline.after(budget.toNanos(), TimeUnit.NANOSECONDS);
    long backoffMs = FIRST_BACKOFF_MS;
    StatusRuntimeException lastUnavailable = null;
    String lastUnavailableEndpoint = null;
    while (true) {
      int index = current.get();
      ManagedChannel channel = channels.get(index);
      // A channel that failed before waits up to minutes before reconnecting; don't wait for that.
      if (channel.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
        channel.resetConnectBackoff();
      }
      try {
        return rpc.call(channel, deadline);
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (code == Status.Code.DEADLINE_EXCEEDED && deadline.isExpired()) {
          // Our budget ran out: say so rather than quote gRPC's internals. Running out while still
          // looking for a node that answers is "unavailable". A node that took the call and never
          // answered (stopped, or cut off on an open connection) is left for the next call: else every
          // retry would wait on it again, as long as its connection looks alive.
          current.compareAndSet(index, (index + 1) % channels.size());
          throw lastUnavailable != null
              ? unavailable(budget, lastUnavailableEndpoint, lastUnavailable)
              : new RaftcronException(code,
                  "no answer from " + endpoints.get(index) + " within " + budget.toMillis() + " ms", e);
        }
        if (code != Status.Code.UNAVAILABLE) {
          throw RaftcronException.from(e);
        }
        lastUnavailable = e;
        lastUnavailableEndpoint = endpoints.get(index);
        log.debug("{} unavailable: {}", endpoints.get(index), e.getStatus());
        current.compareAndSet(index, (index + 1) % channels.size());
        long sleepMs = Math.min(backoffMs, deadline.timeRemaining(TimeUnit.MILLISECONDS));
        if (sleepMs <= 0) {
          throw unavailable(budget, lastUnavailableEndpoint, e);
        }
        sleep(sleepMs);
        if (deadline.isExpired()) {
          throw unavailable(budget, lastUnavailableEndpoint, e);
        }
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private RaftcronException unavailable(Duration budget, String endpoint, StatusRuntimeException last) {
    Status status = last.getStatus();
    String reason = status.getDescription() != null ? status.getDescription() : "unavailable";
    if (status.getCause() != null && status.getCause().getMessage() != null) {
      reason += ": " + status.getCause().getMessage();
    }
    return new RaftcronException(Status.Code.UNAVAILABLE,
        "no raftcron node answered within " + budget.toMillis() + " ms (tried " + String.join(",", endpoints)
            + "; last error from " + endpoint + ": " + reason + ")",
        last);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RaftcronException(Status.Code.CANCELLED, "interrupted", e);
    }
  }

  private static JobServiceGrpc.JobServiceBlockingStub jobs(Channel channel, Deadline deadline) {
    return JobServiceGrpc.newBlockingStub(channel).withDeadline(deadline);
  }

  private static RunServiceGrpc.RunServiceBlockingStub runs(Channel channel, Deadline deadline) {
    return RunServiceGrpc.newBlockingStub(channel).withDeadline(deadline);
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdown);
    try {
      for (ManagedChannel channel : channels) {
        if (!channel.awaitTermination(CLOSE_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
          channel.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      channels.forEach(ManagedChannel::shutdownNow);
      Thread.currentThread().interrupt();
    }
  }

  /** "host:port", with an IPv6 host in brackets. */
  private record HostPort(String host, int port) {
    static HostPort parse(String endpoint) {
      int colon = endpoint.lastIndexOf(':');
      if (colon <= 0 || colon == endpoint.length() - 1) {
        throw new IllegalArgumentException("endpoint '" + endpoint + "' is not host:port");
      }
      String host = endpoint.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      int port;
      try {
        port = Integer.parseInt(endpoint.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("endpoint '" + endpoint + "' has no numeric port");
      }
      if (host.isEmpty() || port < 1 || port > 65535) {
        throw new IllegalArgumentException("endpoint '" + endpoint + "' is not host:port");
      }
      return new HostPort(host, port);
    }
  }
}
