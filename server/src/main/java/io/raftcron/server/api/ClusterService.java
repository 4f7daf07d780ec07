package io.raftcron.server.api;

import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.AddNodeRequest;
import io.raftcron.proto.BackupChunk;
import io.raftcron.proto.BackupRequest;
import io.raftcron.proto.ClusterServiceGrpc;
import io.raftcron.proto.MembershipResponse;
import io.raftcron.proto.RemoveNodeRequest;
import io.raftcron.proto.SnapshotRequest;
import io.raftcron.proto.SnapshotResponse;
import io.raftcron.proto.TransferLeaderRequest;
import io.raftcron.proto.TransferLeaderResponse;
import io.raftcron.server.leader.Proposer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.Command;
import io.raftcron.proto.GetNodeStatusRequest;
import io.raftcron.proto.GetStatusRequest;
import io.raftcron.proto.NodeInfo;
import io.raftcron.proto.NodeStatus;
import io.raftcron.proto.RegisterNode;
import io.raftcron.proto.RegisterNodeRequest;
import io.raftcron.proto.RegisterNodeResponse;
import io.raftcron.raft.RaftNode;
import io.raftcron.sm.store.SchedulerStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Cluster status (asked of every registered node), node registration, and the operations: membership, leadership
 * transfer and snapshots on the leader (forwarded there), backups from the node asked.
 */
public final class ClusterService extends ClusterServiceGrpc.ClusterServiceImplBase {
  private static final long PEER_STATUS_TIMEOUT_MS = 1500;

  private final NodeInfo self;
  private final Gateway gateway;
  private final RaftNode raft;
  private final SchedulerStore store;
  private final Forwarder forwarder;

  private final ClusterOperations operations;
  private final BackupStreamer backups;

  /** {@code backupWork}: a folder for backups' temporary files; {@code executor}: where backups are written. */
  public ClusterService(
      NodeInfo self,
      Gateway gateway,
      RaftNode raft,
      SchedulerStore store,
      Forwarder forwarder,
      Proposer proposer,
      Path backupWork,
      Executor executor) {
    this.self = self;
    this.gateway = gateway;
    this.raft = raft;
    this.store = store;
    this.forwarder = forwarder;
    this.operations = new ClusterOperations(self.getNodeId(), raft, store, proposer);
    this.backups = new BackupStreamer(self.getNodeId(), raft, store, backupWork, executor);
  }

  @Override
  public void addNode(AddNodeRequest request, StreamObserver<MembershipResponse> out) {
    gateway.onLeader(ClusterServiceGrpc.getAddNodeMethod(), request, out, () -> operations.addNode(request));
  }

  @Override
  public void removeNode(RemoveNodeRequest request, StreamObserver<MembershipResponse> out) {
    gateway.onLeader(ClusterServiceGrpc.getRemoveNodeMethod(), request, out, () -> operations.removeNode(request));
  }

  @Override
  public void transferLeader(TransferLeaderRequest request, StreamObserver<TransferLeaderResponse> out) {
    gateway.onLeader(ClusterServiceGrpc.getTransferLeaderMethod(), request, out,
        () -> CompletableFuture.completedFuture(operations.transferLeader(request)));
  }

  @Override
  public void snapshot(SnapshotRequest request, StreamObserver<SnapshotResponse> out) {
    gateway.onLeader(ClusterServiceGrpc.getSnapshotMethod(), request, out, operations::snapshot);
  }

  @Override
  public void backup(BackupRequest request, StreamObserver<BackupChunk> out) {
    backups.stream(out);
  }

  @Override
  public void getNodeStatus(GetNodeStatusRequest request, StreamObserver<NodeStatus> out) {
    Gateway.answer(out, localStatus(), null);
  }

  @Override
  public void getStatus(GetStatusRequest request, StreamObserver<ClusterStatus> out) {
    List<NodeStatus> nodes = new ArrayList<>();
    nodes.add(localStatus());
    for (NodeInfo node : store.nodes()) {
      if (!node.getNodeId().equals(self.getNodeId())) {
        nodes.add(remoteStatus(node));
      }
    }
    nodes.sort((a, b) -> a.getNodeId().compareTo(b.getNodeId()));
    ClusterStatus.Builder status = ClusterStatus.newBuilder().setTerm(raft.currentTerm());
    nodes.stream().filter(n -> n.getVotersCount() > 0).findFirst().ifPresent(leader ->
        status.addAllVoters(leader.getVotersList()).addAllLearners(leader.getLearnersList()));
    forwarder.leader().ifPresent(leader -> status.setLeaderId(leader.getNodeId()));
    Gateway.answer(out, status.addAllNodes(nodes).build(), null);
  }

  @Override
  public void registerNode(RegisterNodeRequest request, StreamObserver<RegisterNodeResponse> out) {
    gateway.write(
        ClusterServiceGrpc.getRegisterNodeMethod(),
        request,
        out,
        Command.newBuilder().setRegisterNode(RegisterNode.newBuilder().setNode(request.getNode())),
        result -> RegisterNodeResponse.getDefaultInstance());
  }

  private NodeStatus localStatus() {
    NodeStatus.Builder status =
        NodeStatus.newBuilder()
            .setNodeId(self.getNodeId())
            .setRaftAddr(self.getRaftAddr())
            .setGrpcAddr(self.getGrpcAddr())
            .setRole(raft.role())
            .setTerm(raft.currentTerm())
            .setAppliedIndex(raft.appliedIndex());
    raft.leaderAddress().ifPresent(status::setLeaderRaftAddr);
    raft.membership().ifPresent(m -> status.addAllVoters(m.voters()).addAllLearners(m.learners()));
    return status.build();
  }

  private NodeStatus remoteStatus(NodeInfo node) {
    try {
      return ClusterServiceGrpc.newBlockingStub(forwarder.channel(node.getGrpcAddr()))
          .withDeadline(Deadline.after(PEER_STATUS_TIMEOUT_MS, TimeUnit.MILLISECONDS))
          .getNodeStatus(GetNodeStatusRequest.getDefaultInstance());
    } catch (RuntimeException e) {
      return NodeStatus.newBuilder()
          .setNodeId(node.getNodeId())
          .setRaftAddr(node.getRaftAddr())
          .setGrpcAddr(node.getGrpcAddr())
          .setRole("UNREACHABLE")
          .setError(e.getMessage() == null ? e.toString() : e.getMessage())
          .build();
    }
  }
}
