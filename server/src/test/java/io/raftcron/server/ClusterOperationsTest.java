package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.MembershipResponse;
import io.raftcron.proto.NodeInfo;
import io.raftcron.proto.Run;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.BackupArchive;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster operations through the gRPC API on real nodes in this JVM: a node joins by snapshot install, takes over
 * leadership, the old leader leaves and the registry follows; a backup restores into a new cluster.
 */
class ClusterOperationsTest {
  private static final Duration WAIT = Duration.ofSeconds(45);

  @TempDir Path dir;

  @Test
  void aJoinedNodeCatchesUpTakesOverLeadershipAndTheOldLeaderLeavesTheRegistry() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(10));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      cluster.awaitLeader(WAIT);
      client.createJob(TestJobs.everySecond("tick"));
      await().atMost(WAIT).until(() -> client.listRuns("tick", 1000).size() >= 3);
      assertThat(client.snapshot().getAppliedIndex()).isPositive();
      assertThat(client.snapshot().getNodeId()).isEqualTo(cluster.leader().orElseThrow().config().nodeId());

      String n4Raft = "127.0.0.1:" + LocalCluster.freePorts(1)[0];
      cluster.add("n4", dir.resolve("n4"), List.of(), b -> b.leaseDuration(Duration.ofSeconds(10)), n4Raft);
      MembershipResponse grown = client.addNode(n4Raft, "n4");
      assertThat(grown.getVotersList()).hasSize(4).contains(n4Raft);

      RaftcronServer n4 = cluster.node("n4").orElseThrow();
      await().atMost(WAIT).until(() -> n4.store().nodes().stream().anyMatch(n -> n.getNodeId().equals("n4")));
      ClusterStatus status = client.clusterStatus();
      assertThat(status.getVotersList()).containsExactlyInAnyOrderElementsOf(cluster.raftAddrs());
      assertThat(status.getNodesList()).extracting(n -> n.getNodeId()).containsExactly("n1", "n2", "n3", "n4");

      String oldLeader = cluster.leader().orElseThrow().config().nodeId();
      client.transferLeader(n4Raft);
      await().atMost(WAIT).until(() -> n4.raft().isLeader());

      MembershipResponse shrunk = client.removeNode("", oldLeader);
      assertThat(shrunk.getVotersList()).hasSize(3).contains(n4Raft);
      assertThat(n4.store().nodes()).extracting(NodeInfo::getNodeId).doesNotContain(oldLeader).contains("n4");
      cluster.stop(cluster.node(oldLeader).orElseThrow());

      Instant after = Instant.now();
      await().atMost(WAIT).until(() -> client.listRuns("tick", 1000).stream()
          .anyMatch(r -> r.getFiredBy().equals("n4") && Times.toInstant(r.getSlot()).isAfter(after.plusSeconds(2))));
      TestJobs.assertOneRunPerSlotWithNoGap(client.listRuns("tick", 1000));
    }
  }

  @Test
  void operationsRefuseWhatMakesNoSenseWithAReason() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(10));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      cluster.awaitLeader(WAIT);
      await().atMost(WAIT).until(() -> client.clusterStatus().getNodesCount() == 3
          && cluster.leader().orElseThrow().store().nodes().size() == 3);
      String leader = cluster.leader().orElseThrow().config().nodeId();

      assertThatThrownBy(() -> client.removeNode("", leader))
          .isInstanceOf(RaftcronException.class).hasMessageContaining("is the leader: move leadership first");
      assertThatThrownBy(() -> client.removeNode("", "n9"))
          .isInstanceOf(RaftcronException.class).hasMessageContaining("no registered node n9");
      assertThatThrownBy(() -> client.addNode("localhost", ""))
          .isInstanceOf(RaftcronException.class).hasMessageContaining("not a raft address");
      assertThatThrownBy(() -> client.addNode(cluster.raftAddrs().get(0), ""))
          .isInstanceOf(RaftcronException.class).hasMessageContaining("Peer already exists");
      assertThatThrownBy(() -> client.transferLeader("127.0.0.1:1"))
          .isInstanceOf(RaftcronException.class).hasMessageContaining("is not a voter");
      assertThat(client.clusterStatus().getVotersList()).containsExactlyInAnyOrderElementsOf(cluster.raftAddrs());
    }
  }

  @Test
  void aBackupRestoresIntoANewClusterWithTheSameJobsAndHistory() throws Exception {
    Path backup = dir.resolve("cluster.backup");
    List<Run> runsAtBackup;
    long appliedAtBackup;
    try (LocalCluster cluster = new LocalCluster(dir.resolve("old"), 3, Duration.ofSeconds(10));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      cluster.awaitLeader(WAIT);
      client.createJob(TestJobs.everySecond("tick"));
      await().atMost(WAIT).until(() -> client.listRuns("tick", 1000).size() >= 3);
      client.pauseJob("tick"); // so that the history stops growing and both sides can be compared
      runsAtBackup = client.listRuns("tick", 1000);
      client.backup(backup);
      appliedAtBackup = BackupArchive.read(backup, Optional.empty()).getAppliedIndex();
    }

    try (LocalCluster restored = new LocalCluster()) {
      int[] ports = LocalCluster.freePorts(3);
      List<String> raftAddrs = List.of("127.0.0.1:" + ports[0], "127.0.0.1:" + ports[1], "127.0.0.1:" + ports[2]);
      for (int i = 0; i < 3; i++) {
        restored.add("r" + (i + 1), dir.resolve("new").resolve("r" + (i + 1)), raftAddrs,
            b -> b.restoreFrom(backup), raftAddrs.get(i));
      }
      try (RaftcronClient client = RaftcronClient.connect(restored.grpcAddrs(), Duration.ofSeconds(20))) {
        restored.awaitLeader(WAIT);
        assertThat(client.listRuns("tick", 1000)).isEqualTo(runsAtBackup);
        assertThat(client.getJob("tick").getPaused()).isTrue();
        await().atMost(WAIT).until(() -> client.clusterStatus().getNodesList().stream()
            .map(n -> n.getNodeId()).toList().equals(List.of("r1", "r2", "r3")));
        // The new log continues after the backup's index: the resume is a later entry, and slots go on firing.
        long resumedVersion = client.resumeJob("tick").getVersion();
        assertThat(resumedVersion).isGreaterThan(appliedAtBackup);
        await().atMost(WAIT).until(() -> client.listRuns("tick", 1000).size() > runsAtBackup.size() + 2);
      }
      RaftcronServer any = restored.running().get(0);
      any.close();
      assertThatThrownBy(() -> BackupRestore.seed(backup, any.config()))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already holds data");
    }
  }
}
