package io.raftcron.raft;

import java.util.Optional;

/** The proposal was not appended because this node is not the leader; it is safe to retry on the leader. */
public class NotLeaderException extends RuntimeException {

  private final String leaderAddress;

  /** @param leaderAddress the leader's raft ip:port as this node knows it, or null when unknown */
  public NotLeaderException(String leaderAddress) {
    super(leaderAddress == null ? "not the leader; leader unknown" : "not the leader; leader is " + leaderAddress);
    this.leaderAddress = leaderAddress;
  }

  public Optional<String> leaderAddress() {
    return Optional.ofNullable(leaderAddress);
  }
}
