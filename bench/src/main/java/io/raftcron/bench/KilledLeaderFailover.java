package io.raftcron.bench;

import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The failover scenario with real processes: three {@code raftcron server} JVMs, jobs firing every
 * second, and SIGKILL to the leader's process a third into the window. Everything is measured
 * afterwards through the API, from the runs themselves: each slot of the window must have exactly
 * one run (the run id is the slot, so a second decision would have to be refused), its
 * {@code fired_at} is the leader's decision time, and {@code fired_by} names the deciding leader.
 */
final class KilledLeaderFailover {
  private static final long MAX_MICROS = 3_600_000_000L;

  private final WindowOptions options;
  private final List<String> nodeJavaOpts;

  KilledLeaderFailover(WindowOptions options, List<String> nodeJavaOpts) {
    this.options = options;
    this.nodeJavaOpts = nodeJavaOpts;
  }

  int run() throws Exception {
    options.check();
    double loadAtStart = Machine.loadAverage();
    try (ProcessCluster cluster = new ProcessCluster(nodeJavaOpts);
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(30))) {
      cluster.start();
      cluster.awaitLeader(client, Duration.ofSeconds(60));
      JobLoader.Load created = JobLoader.create(cluster.grpcAddrs(), 0, options.jobs, FireHarness.EVERY_SECOND, 32);
      if (created.failures() > 0) {
        throw new IllegalStateException(created.failures() + " of " + options.jobs + " job creations failed");
      }
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

      Histogram lateness = new Histogram(MAX_MICROS, 3);
      long fired = 0;
      long skipped = 0;
      Instant firstBySuccessor = null;
      for (int i = 0; i < options.jobs; i++) {
        // Newest first, one run a second: enough to reach back to the window's first slot.
        int limit = (int) Duration.between(window.start(), Instant.now()).toSeconds() + 5;
        for (Run run : client.listRuns(JobLoader.name(i), limit)) {
          Instant slot = Times.toInstant(run.getSlot());
          if (slot.isBefore(window.start()) || !slot.isBefore(window.end())) {
            continue;
          }
          if (run.getState() == RunState.SKIPPED) {
            skipped++;
            continue;
          }
          fired++;
          Instant firedAt = Times.toInstant(run.getFiredAt());
          lateness.recordValue(Math.min(MAX_MICROS, Math.max(0, Duration.between(slot, firedAt).toNanos() / 1000)));
          if (!run.getFiredBy().equals(old) && firedAt.isAfter(killedAt)
              && (firstBySuccessor == null || firedAt.isBefore(firstBySuccessor))) {
            firstBySuccessor = firedAt;
          }
        }
      }
      long expected = (long) options.jobs * window.seconds();
      double electMs = Duration.between(killedAt, electedAt).toNanos() / 1e6;
      double nextFireMs = firstBySuccessor == null ? -1 : Duration.between(killedAt, firstBySuccessor).toNanos() / 1e6;
      Result result = new Result("failover", loadAtStart)
          .put("mode", "kill -9 of the leader's process")
          .put("nodes", 3)
          .put("jobs", options.jobs)
          .put("window_s", window.seconds())
          .put("killed_leader", old)
          .put("new_leader", successor)
          .put("leader_seen_ms", electMs)
          .put("next_fire_ms", nextFireMs)
          .put("fired_slots", fired)
          .put("skipped_slots", skipped)
          .put("missed_slots", Math.max(0, expected - fired - skipped))
          .latency("fire_lateness_ms", lateness);
      result.line(String.format("%d jobs @every 1s, %d s window, 3 server processes: leader %s killed with SIGKILL",
              options.jobs, window.seconds(), old))
          .line(String.format("%s seen leading after %.0f ms; its first fire decided %.0f ms after the kill",
              successor, electMs, nextFireMs))
          .line(String.format("%d of %d slots fired once, %d skipped, %d missed; lateness slot → decision: %s",
              fired, expected, skipped, Math.max(0, expected - fired - skipped), Result.ms(lateness)));
      result.print(System.out, System.err);
      return firstBySuccessor != null && fired + skipped == expected ? 0 : 1;
    }
  }
}
