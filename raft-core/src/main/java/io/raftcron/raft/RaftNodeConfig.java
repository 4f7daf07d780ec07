package io.raftcron.raft;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Settings of one raft node. Addresses are {@code ip:port} with a concrete, routable ip (jraft rejects 0.0.0.0); the
 * Bolt RPC server listens on that ip only (see PeerOnlyRpcServer).
 *
 * @param peers the initial configuration, used only when the node's log and snapshot storage are empty; empty for a
 *     node that waits to be added by the leader
 * @param snapshotIntervalSecs timer-driven snapshots; 0 or less disables them
 * @param snapshotLogEntries a snapshot also once this many entries were applied since the last one, so that a restart
 *     replays a bounded log however busy the cluster; 0 or less disables it
 */
public record RaftNodeConfig(
    String groupId,
    String raftAddr,
    List<String> peers,
    Path dataDir,
    int electionTimeoutMs,
    int snapshotIntervalSecs,
    int snapshotLogEntries,
    int maxInflightProposals) {

  public static final String DEFAULT_GROUP_ID = "raftcron";

  public RaftNodeConfig {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(raftAddr, "raftAddr");
    Objects.requireNonNull(dataDir, "dataDir");
    peers = List.copyOf(peers);
    if (electionTimeoutMs <= 0) {
      throw new IllegalArgumentException("electionTimeoutMs must be positive: " + electionTimeoutMs);
    }
    if (maxInflightProposals <= 0) {
      throw new IllegalArgumentException("maxInflightProposals must be positive: " + maxInflightProposals);
    }
  }

  /**
   * A config with the defaults: group "raftcron", election timeout 1 s, snapshots every 300 s or 100 000 entries, 1024
   * proposals.
   */
  public static RaftNodeConfig of(String raftAddr, List<String> peers, Path dataDir) {
    return new RaftNodeConfig(DEFAULT_GROUP_ID, raftAddr, peers, dataDir, 1000, 300, 100_000, 1024);
  }

  public RaftNodeConfig withGroupId(String value) {
    return new RaftNodeConfig(value, raftAddr, peers, dataDir, electionTimeoutMs, snapshotIntervalSecs,
        snapshotLogEntries, maxInflightProposals);
  }

  public RaftNodeConfig withElectionTimeoutMs(int value) {
    return new RaftNodeConfig(groupId, raftAddr, peers, dataDir, value, snapshotIntervalSecs, snapshotLogEntries,
        maxInflightProposals);
  }

  public RaftNodeConfig withSnapshotIntervalSecs(int value) {
    return new RaftNodeConfig(groupId, raftAddr, peers, dataDir, electionTimeoutMs, value, snapshotLogEntries,
        maxInflightProposals);
  }

  public RaftNodeConfig withSnapshotLogEntries(int value) {
    return new RaftNodeConfig(groupId, raftAddr, peers, dataDir, electionTimeoutMs, snapshotIntervalSecs, value,
        maxInflightProposals);
  }

  public RaftNodeConfig withMaxInflightProposals(int value) {
    return new RaftNodeConfig(groupId, raftAddr, peers, dataDir, electionTimeoutMs, snapshotIntervalSecs,
        snapshotLogEntries, value);
  }
}
