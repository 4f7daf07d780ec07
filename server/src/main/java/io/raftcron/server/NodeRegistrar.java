package io.raftcron.server;

import io.grpc.Deadline;
import io.raftcron.proto.ClusterServiceGrpc;
import io.raftcron.proto.Command;
import io.raftcron.proto.NodeInfo;
import io.raftcron.proto.RegisterNode;
import io.raftcron.proto.RegisterNodeRequest;
import io.raftcron.raft.RaftNode;
import io.raftcron.server.api.Forwarder;
import io.raftcron.server.leader.Proposer;
import io.raftcron.sm.store.SchedulerStore;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this node's addresses part of the replicated state, so that every node can forward to
 * the leader's gRPC address and report on its peers. Retries until the registration is visible
 * in the local store: through the log when this node leads, else through the leader.
 */
final class NodeRegistrar implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(NodeRegistrar.class);
  private static final long RETRY_MS = 500;

  private final NodeInfo self;
  private final RaftNode raft;
  private final SchedulerStore store;
  private final Proposer proposer;
  private final Forwarder forwarder;
  private final ScheduledFuture<?> task;

  NodeRegistrar(
      NodeInfo self,
      RaftNode raft,
      SchedulerStore store,
      Proposer proposer,
      Forwarder forwarder,
      ScheduledExecutorService executor) {
    this.self = self;
    this.raft = raft;
    this.store = store;
    this.proposer = proposer;
    this.forwarder = forwarder;
    this.task = executor.scheduleWithFixedDelay(this::attempt, 0, RETRY_MS, TimeUnit.MILLISECONDS);
  }

  private void attempt() {
    try {
      if (store.nodes().contains(self)) {
        log.info("node {} registered as raft {} / gRPC {}", self.getNodeId(), self.getRaftAddr(), self.getGrpcAddr());
        task.cancel(false);
        return;
      }
      long term = raft.leaderTerm();
      if (term > 0) {
        proposer.propose(term, Command.newBuilder().setRegisterNode(RegisterNode.newBuilder().setNode(self)));
        return;
      }
      forwarder.leader().ifPresent(leader ->
          ClusterServiceGrpc.newFutureStub(forwarder.channel(leader.getGrpcAddr()))
              .withDeadline(Deadline.after(RETRY_MS * 4, TimeUnit.MILLISECONDS))
              .registerNode(RegisterNodeRequest.newBuilder().setNode(self).build()));
    } catch (RuntimeException e) {
      log.debug("registration attempt failed, retrying: {}", e.toString());
    }
  }

  @Override
  public void close() {
    task.cancel(false);
  }
}
