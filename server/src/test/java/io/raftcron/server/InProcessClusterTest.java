package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.client.RaftcronClient;
import io.raftcron.client.worker.Outcome;
import io.raftcron.client.worker.Worker;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Three nodes in one JVM: the fire protocol through a leader failover, with a real worker. */
class InProcessClusterTest {
  @TempDir Path dir;

  @Test
  void firesEverySlotOnceThroughALeaderFailoverAndWorkersCompleteTheRuns() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(5));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      cluster.awaitLeader(Duration.ofSeconds(30));
      client.createJob(TestJobs.everySecond("tick"));

      Map<String, Integer> executions = new ConcurrentHashMap<>();
      try (Worker worker =
          Worker.builder()
              .endpoints(cluster.grpcAddrs())
              .workerId("w1")
              .concurrency(4)
              .pollWait(Duration.ofSeconds(2))
              .handler(run -> {
                executions.merge(run.runId(), 1, Integer::sum);
                return Outcome.success();
              })
              .build()) {
        worker.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> client.listRuns("tick", 1000).size() >= 4);

        RaftcronServer oldLeader = cluster.leader().orElseThrow();
        String oldLeaderId = oldLeader.config().nodeId();
        cluster.stop(oldLeader);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> cluster.leader().map(l -> !l.config().nodeId().equals(oldLeaderId)).orElse(false));
        String newLeaderId = cluster.leader().orElseThrow().config().nodeId();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> client.listRuns("tick", 1000).stream().anyMatch(r -> r.getFiredBy().equals(newLeaderId)));
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> client.listRuns("tick", 1000).stream().filter(r -> r.getFiredBy().equals(newLeaderId)).count() >= 3);

        cluster.restart(oldLeaderId);
        List<Run> runs = client.listRuns("tick", 1000);
        TestJobs.assertOneRunPerSlotWithNoGap(runs);
        assertThat(runs).extracting(Run::getFiredBy).contains(oldLeaderId, newLeaderId);

        // Every fired run reaches the worker and is completed under its fencing token.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> client.listRuns("tick", 1000).stream()
                .filter(r -> runs.stream().anyMatch(o -> o.getRunId().equals(r.getRunId())))
                .allMatch(r -> r.getState() == RunState.SUCCEEDED));
        for (Run run : client.listRuns("tick", 1000)) {
          if (run.getState() == RunState.SUCCEEDED) {
            assertThat(run.getWorker()).isEqualTo("w1");
            assertThat(run.getFencingToken()).isGreaterThan(run.getFireIndex());
            assertThat(executions).containsKey(run.getRunId());
          }
        }
      }
      assertThat(cluster.fatalError()).isNull();
    }
  }

  @Test
  void everyNodeConvergesToTheSameRunHistory() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(5));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      cluster.awaitLeader(Duration.ofSeconds(30));
      client.createJob(TestJobs.everySecond("converge"));
      await().atMost(Duration.ofSeconds(30)).until(() -> client.listRuns("converge", 1000).size() >= 3);
      client.deleteJob("converge");
      long committed = cluster.leader().orElseThrow().raft().appliedIndex();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> cluster.running().stream().allMatch(s -> s.store().appliedIndex() >= committed));
      Function<RaftcronServer, List<String>> history =
          s -> s.store().runs("converge", 1000).stream().map(Run::getRunId).toList();
      List<List<String>> histories = cluster.running().stream().map(history).distinct().toList();
      assertThat(histories).hasSize(1);
      assertThat(histories.get(0)).hasSizeGreaterThanOrEqualTo(3);
    }
  }
}
