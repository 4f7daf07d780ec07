package io.raftcron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton, end to end with real processes: three server JVMs and one worker JVM from
 * the built artifacts, a job firing every second, the leader killed with SIGKILL in the middle.
 * The worker's own record of RAFTCRON_SLOT must show every slot exactly once, and the API's run
 * history must agree with it.
 */
class LeaderKillEndToEndIT {
  @TempDir Path dir;

  @Test
  void everySlotRunsExactlyOnceThroughAKillNineOfTheLeader() throws Exception {
    Path witness = dir.resolve("witness.txt");
    try (NodeProcesses cluster = new NodeProcesses(dir, 3)) {
      for (int i = 0; i < 3; i++) {
        cluster.startNode(i, "--lease-seconds", "10");
      }
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> cluster.leader() != null);
      cluster.startWorker("w1", 4);
      cluster.cli("job", "create", "tick", "--cron", "* * * * * *", "--command",
          "echo \"$RAFTCRON_SLOT $RAFTCRON_RUN_ID $RAFTCRON_FENCING_TOKEN $RAFTCRON_ATTEMPT $RAFTCRON_JOB\" >> " + witness);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> runs(cluster).size() >= 8);
      String oldLeader = cluster.leader();
      Instant killedAt = Instant.now();
      cluster.kill9(oldLeader);

      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> {
            String leader = cluster.leader();
            return leader != null && !leader.equals(oldLeader);
          });
      String newLeader = cluster.leader();
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
          .until(() -> runs(cluster).stream().filter(r -> r.getFiredBy().equals(newLeader)).count() >= 10);
      cluster.cli("job", "delete", "tick");

      // Every run fired before the delete completes, including those in flight at the kill.
      await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1))
          .until(() -> runs(cluster).stream().allMatch(r -> r.getState() == RunState.SUCCEEDED));
      List<Run> runs = runs(cluster);

      List<String> lines = Files.readAllLines(witness);
      Map<String, Long> executionsPerSlot =
          lines.stream().map(l -> l.split(" ")[0]).collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
      assertThat(executionsPerSlot).as("worker executions per RAFTCRON_SLOT").allSatisfy((slot, n) -> assertThat(n).isEqualTo(1));

      Set<String> apiSlots = runs.stream().map(r -> Instant.ofEpochSecond(r.getSlot().getSeconds()).toString())
          .collect(Collectors.toCollection(TreeSet::new));
      assertThat(apiSlots).hasSize(runs.size());
      assertThat(executionsPerSlot.keySet()).containsExactlyInAnyOrderElementsOf(apiSlots);
      assertConsecutiveSeconds(apiSlots);
      assertThat(runs).extracting(Run::getFiredBy).contains(oldLeader, newLeader);
      for (String line : lines) {
        String[] f = line.split(" ");
        Run run = runs.stream().filter(r -> r.getRunId().equals(f[1])).findFirst().orElseThrow();
        assertThat(Long.parseLong(f[2])).as("token seen by the worker for %s", f[1]).isEqualTo(run.getFencingToken());
        assertThat(f[3]).isEqualTo("1");
        assertThat(f[4]).isEqualTo("tick");
      }
      report(runs, killedAt, oldLeader);
    }
  }

  private static void assertConsecutiveSeconds(Set<String> slots) {
    List<Instant> sorted = slots.stream().map(Instant::parse).sorted().toList();
    for (int i = 1; i < sorted.size(); i++) {
      assertThat(Duration.between(sorted.get(i - 1), sorted.get(i)))
          .as("no slot missing between %s and %s", sorted.get(i - 1), sorted.get(i))
          .isEqualTo(Duration.ofSeconds(1));
    }
  }

  /** Prints the figures the closing note reports: the failover gap and the fire lateness. */
  private static void report(List<Run> runs, Instant killedAt, String oldLeader) {
    List<Long> lateness = new ArrayList<>();
    Instant firstNew = Instant.MAX;
    for (Run run : runs) {
      Instant slot = Instant.ofEpochSecond(run.getSlot().getSeconds(), run.getSlot().getNanos());
      Instant fired = Instant.ofEpochSecond(run.getFiredAt().getSeconds(), run.getFiredAt().getNanos());
      lateness.add(Duration.between(slot, fired).toMillis());
      if (!run.getFiredBy().equals(oldLeader) && fired.isAfter(killedAt) && fired.isBefore(firstNew)) {
        firstNew = fired;
      }
    }
    Collections.sort(lateness);
    System.out.printf(
        "E2E figures: %d runs; fire lateness (slot -> leader decision) p50 %d ms, p99 %d ms, max %d ms;"
            + " failover: kill at %s, first fire by the new leader %d ms after the kill%n",
        runs.size(), lateness.get(lateness.size() / 2), lateness.get((int) Math.ceil(lateness.size() * 0.99) - 1),
        lateness.get(lateness.size() - 1), killedAt, Duration.between(killedAt, firstNew).toMillis());
  }

  private static List<Run> runs(NodeProcesses cluster) throws Exception {
    return cluster.cliJson(ListRunsResponse.newBuilder(), "job", "runs", "tick", "--limit", "1000").getRunsList();
  }
}
