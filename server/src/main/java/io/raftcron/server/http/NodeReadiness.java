package io.raftcron.server.http;

import io.raftcron.raft.RaftNode;
import java.util.Optional;

/** Ready = a voting member (leader or follower) of a cluster that has a leader. */
final class NodeReadiness {
  private final RaftNode raft;

  NodeReadiness(RaftNode raft) {
    this.raft = raft;
  }

  /** Why the node is not ready, or empty when it is. */
  Optional<String> notReadyReason() {
    String role = raft.role();
    if (!role.equals("LEADER") && !role.equals("FOLLOWER")) {
      return Optional.of("node is " + role + ", not a leader or follower");
    }
    if (raft.leaderAddress().isEmpty()) {
      return Optional.of("no leader known yet (term " + raft.currentTerm() + ")");
    }
    return Optional.empty();
  }

  String readyMessage() {
    return "ready: " + raft.role() + " in term " + raft.currentTerm() + ", leader " + raft.leaderAddress().orElse("?");
  }
}
