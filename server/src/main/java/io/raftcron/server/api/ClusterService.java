package io.raftcron.server.api;

import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.ClusterServiceGrpc;
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

/** Cluster status (asked of every registered node) and node registration. */
public final class ClusterService extends ClusterServiceGrpc.ClusterServiceImplBase {
  private static final long PEER_STATUS_TIMEOUT_MS = 1500;

  private final NodeInfo self;
  private final Gateway gateway;
  private final RaftNode raft;
  private final SchedulerStore store;
  private final Forwarder forwarder;

  public ClusterService(
      NodeInfo self, Gateway gateway, RaftNode raft, SchedulerStore store, Forwarder forwarder) {
    this.self = self;
    this.gateway = gateway;
    this.raft = raft;
    this.store = store;
    this.forwarder = forwarder;
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
