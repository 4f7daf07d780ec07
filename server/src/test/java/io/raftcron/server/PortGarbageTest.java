package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ShellExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random bytes and truncated frames on every Raft (Bolt) and gRPC port of a live three-node
 * cluster: no node stops, every node still serves reads and writes, and nothing in the
 * replicated state changed.
 */
class PortGarbageTest {
  private static final long SEED = 20261125L;

  @TempDir Path dir;

  private static JobSpec job(String name) {
    return JobSpec.newBuilder().setName(name).setSchedule("@at 2099-01-01T00:00:00Z")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true"))).build();
  }

  @Test
  void garbageOnEveryPortChangesNothingAndEveryNodeStillServes() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(10));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> cluster.leader().isPresent()
          && cluster.running().stream().allMatch(s -> s.store().nodes().size() == 3));
      for (int i = 0; i < 3; i++) {
        client.createJob(job("steady-" + i));
      }
      long term = cluster.leader().orElseThrow().raft().currentTerm();
      await().atMost(Duration.ofSeconds(20)).until(() -> sameJobsEverywhere(cluster));
      List<Job> before = cluster.leader().orElseThrow().store().jobs();

      List<PortGarbage.Target> targets = new ArrayList<>();
      for (RaftcronServer node : cluster.running()) {
        String id = node.config().nodeId();
        targets.add(PortGarbage.bolt(id + " raft", node.config().raftAddr()));
        targets.add(PortGarbage.grpc(id + " gRPC", node.config().grpcAddr()));
        targets.add(PortGarbage.http(id + " HTTP", node.config().httpAddr()));
      }
      PortGarbage.spray(targets, new Random(SEED), 30);

      assertThat(cluster.fatalError()).isNull();
      for (RaftcronServer node : cluster.running()) {
        assertThat(node.store().jobs()).as(node.config().nodeId()).isEqualTo(before);
      }
      assertThat(cluster.leader().orElseThrow().raft().currentTerm()).as("no election was forced").isEqualTo(term);

      // Every node still serves: a read and a write through each one, replicated to all.
      for (String endpoint : cluster.grpcAddrs()) {
        try (RaftcronClient one = RaftcronClient.connect(List.of(endpoint), Duration.ofSeconds(20))) {
          assertThat(one.listJobs()).hasSize(before.size() + cluster.grpcAddrs().indexOf(endpoint));
          one.createJob(job("after-" + endpoint.replaceAll("\\D", "")));
        }
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> sameJobsEverywhere(cluster)
          && cluster.leader().orElseThrow().store().jobs().size() == before.size() + 3);
    }
  }

  private static boolean sameJobsEverywhere(LocalCluster cluster) {
    List<List<Job>> views = cluster.running().stream().map(s -> s.store().jobs()).toList();
    return views.stream().allMatch(v -> v.equals(views.get(0)));
  }
}
