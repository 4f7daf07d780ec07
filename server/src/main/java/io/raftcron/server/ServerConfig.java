package io.raftcron.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * How one scheduler node is started.
 *
 * @param nodeId a stable, unique name for the node (shown as "fired by")
 * @param dataDir where the Raft log, its snapshots and the state store live
 * @param raftAddr ip:port of the Raft (Bolt) server; it must be a concrete, routable address
 * @param grpcAddr host:port of the gRPC server for clients and workers
 * @param peers the Raft addresses of the initial cluster, this node included
 * @param electionTimeoutMs a follower that hears no leader for this long starts an election
 * @param leaseDuration how long a worker holds a run before it is leased again
 */
public record ServerConfig(
    String nodeId,
    Path dataDir,
    String raftAddr,
    String grpcAddr,
    List<String> peers,
    int electionTimeoutMs,
    Duration leaseDuration) {

  public static final int DEFAULT_ELECTION_TIMEOUT_MS = 1000;
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  public ServerConfig {
    peers = List.copyOf(peers);
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("--node-id is required");
    }
    if (!peers.contains(raftAddr)) {
      throw new IllegalArgumentException(
          "--peers " + String.join(",", peers) + " must include this node's --raft-addr " + raftAddr);
    }
    if (electionTimeoutMs < 100) {
      throw new IllegalArgumentException("the election timeout must be at least 100 ms");
    }
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("the lease duration must be positive");
    }
  }
}
