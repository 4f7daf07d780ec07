package io.raftcron.server.api;

import io.grpc.Status;
import io.raftcron.proto.AddNodeRequest;
import io.raftcron.proto.Command;
import io.raftcron.proto.MembershipResponse;
import io.raftcron.proto.NodeInfo;
import io.raftcron.proto.RemoveNodeRequest;
import io.raftcron.proto.SnapshotResponse;
import io.raftcron.proto.TransferLeaderRequest;
import io.raftcron.proto.TransferLeaderResponse;
import io.raftcron.proto.UnregisterNode;
import io.raftcron.raft.NotLeaderException;
import io.raftcron.raft.RaftNode;
import io.raftcron.server.leader.Proposer;
import io.raftcron.sm.store.SchedulerStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Predicate;

/**
 * Membership, leadership and snapshots through jraft's own operations, run on the leader. The node registry (node id
 * to addresses, in the replicated state) follows the configuration: a removed node is unregistered; an added node
 * registers itself once it has caught up.
 */
final class ClusterOperations {
  private final String nodeId;
  private final RaftNode raft;
  private final SchedulerStore store;
  private final Proposer proposer;

  ClusterOperations(String nodeId, RaftNode raft, SchedulerStore store, Proposer proposer) {
    this.nodeId = nodeId;
    this.raft = raft;
    this.store = store;
    this.proposer = proposer;
  }

  CompletableFuture<MembershipResponse> addNode(AddNodeRequest request) {
    String addr = request.getRaftAddr();
    if (addr.isEmpty()) {
      throw Errors.invalid("--raft-addr of the new node is required");
    }
    if (!request.getNodeId().isEmpty()) {
      Optional<NodeInfo> registered = registered(n -> n.getNodeId().equals(request.getNodeId()));
      if (registered.isPresent() && !registered.get().getRaftAddr().equals(addr)
          && voters().contains(registered.get().getRaftAddr())) {
        throw Status.FAILED_PRECONDITION
            .withDescription("node id " + request.getNodeId() + " belongs to the member at "
                + registered.get().getRaftAddr() + "; remove that one first or choose another id")
            .asRuntimeException();
      }
    }
    try {
      return raft.addPeer(addr).handle((ok, failure) -> membership(failure == null ? null
          : Errors.unwrap(failure) instanceof IllegalStateException e && e.getMessage().contains("ECATCHUP")
              ? new IllegalStateException(e.getMessage() + " Is it running (server --join) and reachable at " + addr
                  + "? Nothing changed; add it again once it is up.")
              : failure));
    } catch (IllegalArgumentException e) {
      throw Errors.invalid(e.getMessage());
    }
  }

  CompletableFuture<MembershipResponse> removeNode(RemoveNodeRequest request) {
    Optional<NodeInfo> registered;
    String addr;
    if (!request.getNodeId().isEmpty()) {
      registered = registered(n -> n.getNodeId().equals(request.getNodeId()));
      addr = registered.map(NodeInfo::getRaftAddr).orElseThrow(() -> Status.NOT_FOUND
          .withDescription("no registered node " + request.getNodeId() + "; give its --raft-addr instead")
          .asRuntimeException());
      if (!request.getRaftAddr().isEmpty() && !request.getRaftAddr().equals(addr)) {
        throw Errors.invalid("node " + request.getNodeId() + " is at " + addr + ", not " + request.getRaftAddr());
      }
    } else if (!request.getRaftAddr().isEmpty()) {
      addr = request.getRaftAddr();
      registered = registered(n -> n.getRaftAddr().equals(addr));
    } else {
      throw Errors.invalid("give the node to remove by --node-id or --raft-addr");
    }
    if (addr.equals(raft.raftAddress())) {
      // The leader would step down as the change commits and could not unregister itself.
      throw Status.FAILED_PRECONDITION
          .withDescription("node " + nodeId + " at " + addr + " is the leader: move leadership first"
              + " (raftcron cluster transfer-leader), then remove it")
          .asRuntimeException();
    }
    CompletableFuture<Void> removal;
    try {
      removal = raft.removePeer(addr);
    } catch (IllegalArgumentException e) {
      throw Errors.invalid(e.getMessage());
    }
    return removal
        .handle((ok, failure) -> membership(failure))
        .thenCompose(membership -> registered
            .map(node -> unregister(node).thenApply(ignored -> membership))
            .orElse(CompletableFuture.completedFuture(membership)));
  }

  private CompletableFuture<Object> unregister(NodeInfo node) {
    return proposer.propose(raft.leaderTerm(),
            Command.newBuilder().setUnregisterNode(UnregisterNode.newBuilder().setNodeId(node.getNodeId())))
        .handle((result, failure) -> {
          if (failure != null) {
            throw Status.UNAVAILABLE
                .withDescription("node " + node.getNodeId() + " left the configuration, but unregistering it"
                    + " failed (" + Errors.unwrap(failure).getMessage() + "); run remove-node again to finish")
                .asRuntimeException();
          }
          return result;
        });
  }

  TransferLeaderResponse transferLeader(TransferLeaderRequest request) {
    Optional<String> target = Optional.of(request.getRaftAddr()).filter(a -> !a.isEmpty());
    if (target.isPresent() && !voters().contains(target.get())) {
      throw Errors.invalid(target.get() + " is not a voter of the configuration " + voters());
    }
    try {
      raft.transferLeadershipTo(target);
    } catch (IllegalArgumentException e) {
      throw Errors.invalid(e.getMessage());
    } catch (IllegalStateException e) {
      throw Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
    }
    return TransferLeaderResponse.newBuilder()
        .setFromRaftAddr(raft.raftAddress())
        .setToRaftAddr(target.orElse(""))
        .build();
  }

  CompletableFuture<SnapshotResponse> snapshot() {
    return raft.snapshot().handle((ok, failure) -> {
      if (failure != null) {
        throw Status.FAILED_PRECONDITION.withDescription(Errors.unwrap(failure).getMessage()).asRuntimeException();
      }
      return SnapshotResponse.newBuilder().setNodeId(nodeId).setAppliedIndex(raft.appliedIndex()).build();
    });
  }

  private List<String> voters() {
    return raft.membership().map(RaftNode.Membership::voters).orElseThrow(() -> new NotLeaderException(null));
  }

  private MembershipResponse membership(Throwable failure) {
    if (failure != null) {
      Throwable cause = Errors.unwrap(failure);
      if (cause instanceof IllegalArgumentException) {
        throw Errors.invalid(cause.getMessage());
      }
      if (cause instanceof IllegalStateException) {
        throw Status.FAILED_PRECONDITION.withDescription(cause.getMessage()).asRuntimeException();
      }
      throw cause instanceof RuntimeException re ? re : new CompletionException(cause);
    }
    RaftNode.Membership membership = raft.membership().orElseThrow(() -> new NotLeaderException(null));
    return MembershipResponse.newBuilder()
        .addAllVoters(membership.voters())
        .addAllLearners(membership.learners())
        .build();
  }

  private Optional<NodeInfo> registered(Predicate<NodeInfo> which) {
    return store.nodes().stream().filter(which).findFirst();
  }
}
