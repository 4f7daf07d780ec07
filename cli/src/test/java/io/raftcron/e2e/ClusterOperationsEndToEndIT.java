package io.raftcron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.Job;
import io.raftcron.proto.NodeStatus;
import io.raftcron.proto.Run;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster operations with real processes under load (three jobs firing every second), through the `raftcron cluster`
 * commands: grow 3 → 5 with nodes started by `server --join` (they catch up by snapshot install), move leadership to
 * a new node, shrink 5 → 3 by removing two original nodes, then a rolling restart of every remaining node, the
 * leader last. Then a backup of that cluster restores into a new cluster with the same jobs and history. Every job's
 * runs must be one per slot, the slots consecutive seconds: no duplicate and no missed slot through any of it.
 */
class ClusterOperationsEndToEndIT {
  private static final Duration WAIT = Duration.ofSeconds(90);
  private static final List<String> JOBS = List.of("tick-a", "tick-b", "tick-c");

  @TempDir Path dir;

  @Test
  void growTransferShrinkRollingRestartAndRestoreKeepEverySlotExactlyOnce() throws Exception {
    Path backup = dir.resolve("cluster.backup");
    List<Job> jobsAtBackup;
    List<List<Run>> runsAtBackup = new ArrayList<>();
    try (NodeProcesses nodes = new NodeProcesses(dir.resolve("a"), 5);
        RaftcronClient client = RaftcronClient.connect(nodes.grpcAddrs(), Duration.ofSeconds(20))) {
      try {
        List<String> initial = nodes.raftAddrs().subList(0, 3);
        for (int i = 0; i < 3; i++) {
          nodes.startNode(i, initial, "--snapshot-interval-seconds", "20");
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> leader(client).isPresent());
        for (String job : JOBS) {
          nodes.cli("job", "create", job, "--cron", "* * * * * *", "--command", "true");
        }
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> client.listRuns("tick-c", 1000).size() >= 5);

        // Grow: the log before the snapshot is gone, so the newcomers install it.
        assertThat(nodes.cli("cluster", "snapshot")).contains("snapshotted at applied index");
        for (int i = 3; i < 5; i++) {
          nodes.startNode(i, List.of(), "--snapshot-interval-seconds", "20");
          awaitListening(nodes.grpcAddrs().get(i)); // the leader can catch up only a node that is up
          assertThat(nodes.cli("cluster", "add-node", "--raft-addr", nodes.raftAddr(i), "--node-id",
              NodeProcesses.nodeId(i))).contains("added " + nodes.raftAddr(i));
        }
        awaitMembers(client, List.of("n1", "n2", "n3", "n4", "n5"));
        assertThat(client.clusterStatus().getVotersList()).containsExactlyInAnyOrderElementsOf(nodes.raftAddrs());

        // Move leadership to a newcomer, then shrink by the two original nodes that do not lead.
        assertThat(nodes.cli("cluster", "transfer-leader", "--to", nodes.raftAddr(3))).contains("leader: n4");
        for (String gone : List.of("n1", "n2")) {
          assertThat(nodes.cli("cluster", "remove-node", "--node-id", gone)).contains("removed " + gone);
          nodes.stop(gone);
        }
        awaitMembers(client, List.of("n3", "n4", "n5"));
        assertThat(client.clusterStatus().getVotersList()).hasSize(3).doesNotContain(nodes.raftAddr(0));

        // Rolling restart, one node at a time, each back and caught up before the next; the leader goes last.
        String leader = leader(client).orElseThrow();
        List<String> order = new ArrayList<>(List.of("n3", "n4", "n5"));
        order.remove(leader);
        order.add(leader);
        for (String node : order) {
          int i = Integer.parseInt(node.substring(1)) - 1;
          nodes.stop(node);
          nodes.startNode(i, i < 3 ? initial : List.of(), "--snapshot-interval-seconds", "20");
          awaitMembers(client, List.of("n3", "n4", "n5"));
        }
        Instant afterRestarts = Instant.now();
        await().atMost(WAIT).pollInterval(Duration.ofSeconds(1)).until(() -> JOBS.stream().allMatch(job ->
            client.listRuns(job, 1).stream().anyMatch(r -> r.getSlot().getSeconds() > afterRestarts.getEpochSecond() + 3)));

        for (String job : JOBS) {
          nodes.cli("job", "pause", job);
        }
        for (String job : JOBS) {
          List<Run> runs = client.listRuns(job, 1000);
          assertOneRunPerConsecutiveSlot(job, runs);
          runsAtBackup.add(runs);
        }
        jobsAtBackup = client.listJobs();
        assertThat(nodes.cli("cluster", "backup", "--out", backup.toString())).contains("written to " + backup);
      } catch (Throwable t) {
        nodes.dumpLogs(60);
        throw t;
      }
    }

    // Restore: a new cluster of three empty nodes, each started with the same backup and peers.
    try (NodeProcesses restored = new NodeProcesses(dir.resolve("b"), 3);
        RaftcronClient client = RaftcronClient.connect(restored.grpcAddrs(), Duration.ofSeconds(20))) {
      try {
        for (int i = 0; i < 3; i++) {
          restored.startNode(i, "--restore", backup.toString());
        }
        await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).until(() -> leader(client).isPresent());
        assertThat(client.listJobs()).isEqualTo(jobsAtBackup);
        for (int j = 0; j < JOBS.size(); j++) {
          assertThat(client.listRuns(JOBS.get(j), 1000)).isEqualTo(runsAtBackup.get(j));
        }
        awaitMembers(client, List.of("n1", "n2", "n3"));
      } catch (Throwable t) {
        restored.dumpLogs(60);
        throw t;
      }
    }
  }

  /** Waits until exactly these nodes are registered, all reachable, and within a few entries of the leader. */
  private static void awaitMembers(RaftcronClient client, List<String> ids) {
    await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
      ClusterStatus status = client.clusterStatus();
      List<NodeStatus> nodes = status.getNodesList();
      long top = nodes.stream().mapToLong(NodeStatus::getAppliedIndex).max().orElse(0);
      return nodes.stream().map(NodeStatus::getNodeId).toList().equals(ids)
          && !status.getLeaderId().isEmpty()
          && status.getVotersCount() == ids.size()
          && nodes.stream().allMatch(n -> n.getError().isEmpty() && n.getAppliedIndex() >= top - 20);
    });
  }

  /** Waits until the node at {@code grpcAddr} answers: it has started, its Raft port is bound. */
  private static void awaitListening(String grpcAddr) {
    try (RaftcronClient node = RaftcronClient.connect(List.of(grpcAddr), Duration.ofSeconds(5))) {
      await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .until(() -> node.clusterStatus() != null);
    }
  }

  private static Optional<String> leader(RaftcronClient client) {
    try {
      String leader = client.clusterStatus().getLeaderId();
      return leader.isEmpty() ? Optional.empty() : Optional.of(leader);
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  private static void assertOneRunPerConsecutiveSlot(String job, List<Run> runs) {
    assertThat(runs.stream().map(Run::getRunId)).as("%s run ids", job).doesNotHaveDuplicates();
    List<Long> slots = runs.stream().map(r -> r.getSlot().getSeconds()).sorted(Comparator.naturalOrder()).toList();
    assertThat(slots).as("%s slots", job).doesNotHaveDuplicates().hasSizeGreaterThan(30);
    for (int i = 1; i < slots.size(); i++) {
      assertThat(slots.get(i) - slots.get(i - 1))
          .as("%s: no slot missing between %s and %s", job, Instant.ofEpochSecond(slots.get(i - 1)),
              Instant.ofEpochSecond(slots.get(i)))
          .isEqualTo(1);
    }
  }
}
