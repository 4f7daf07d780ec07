package io.raftcron.bench;

import io.raftcron.client.RaftcronClient;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The failover scenario with real processes: three {@code raftcron server} JVMs, jobs firing every
 * second, and SIGKILL to the leader's process a third into the window. Everything is measured
 * afterwards through the API, from the runs themselves: each slot of the window must have exactly
 * one run (the run id is the slot, so a second decision would have to be refused), its
 * {@code fired_at} is the leader's decision time, and {@code fired_by} names the deciding leader.
 */
record KilledLeaderFailover(WindowOptions options, List<String> nodeJavaOpts) {
  int run() throws Exception {
    options.check();
    double loadAtStart = Machine.loadAverage();
    try (ProcessCluster cluster = new ProcessCluster(nodeJavaOpts);
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(30))) {
      cluster.startWithJobs(client, options.jobs);
      Window window = Window.after(options.warmup(), options.seconds);
      window.awaitStart();
      Pause.until(window.start().plusMillis(options.seconds * 1000L / 3 + 500));
      String old = cluster.awaitLeader(client, Duration.ofSeconds(5));
      Instant killedAt = Instant.now();
      cluster.kill9(old);
      String successor = cluster.awaitLeader(client, Duration.ofSeconds(60));
      Instant electedAt = Instant.now();
      window.awaitEnd();
      window.settle();

      Instant[] firstBySuccessor = {null};
      WindowRuns runs = WindowRuns.read(cluster.grpcAddrs(), client, options.jobs, window, run -> {
        Instant firedAt = Times.toInstant(run.getFiredAt());
        if (!run.getFiredBy().equals(old) && firedAt.isAfter(killedAt)
            && (firstBySuccessor[0] == null || firedAt.isBefore(firstBySuccessor[0]))) {
          firstBySuccessor[0] = firedAt;
        }
      });
      long expected = (long) options.jobs * window.seconds();
      long missed = runs.missed(options.jobs, window);
      double electMs = Duration.between(killedAt, electedAt).toNanos() / 1e6;
      double nextFireMs =
          firstBySuccessor[0] == null ? -1 : Duration.between(killedAt, firstBySuccessor[0]).toNanos() / 1e6;
      Result result = new Result("failover", loadAtStart)
          .put("mode", "kill -9 of the leader's process")
          .put("nodes", 3)
          .put("jobs", options.jobs)
          .put("window_s", window.seconds())
          .put("killed_leader", old)
          .put("new_leader", successor)
          .put("leader_seen_ms", electMs)
          .put("next_fire_ms", nextFireMs)
          .put("fired_slots", runs.fired)
          .put("skipped_slots", runs.skipped)
          .put("missed_slots", missed)
          .latency("fire_lateness_ms", runs.decisionLateness);
      result.line(String.format("%d jobs @every 1s, %d s window, 3 server processes: leader %s killed with SIGKILL",
              options.jobs, window.seconds(), old))
          .line(String.format("%s seen leading after %.0f ms; its first fire decided %.0f ms after the kill",
              successor, electMs, nextFireMs))
          .line(String.format("%d of %d slots fired once, %d skipped, %d missed; lateness slot → decision: %s",
              runs.fired, expected, runs.skipped, missed, Result.ms(runs.decisionLateness)));
      result.print(System.out, System.err);
      return firstBySuccessor[0] != null && missed == 0 ? 0 : 1;
    }
  }
}
