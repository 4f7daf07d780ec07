package io.raftcron.bench;

import io.raftcron.client.RaftcronClient;
import java.time.Duration;
import java.util.List;

/**
 * The fire scenario as deployed: three {@code raftcron server} JVMs, one node each, so that a
 * pause of one (a GC) stalls that node alone; in-process, one pause stalls all three. Slot →
 * committed comes from the leader's {@code raftcron_fire_commit_lateness_seconds}, scraped alone
 * (milliseconds) half a second before the window's first slot and before its end, so that it holds the window's slots
 * (each commits well within half a second); its quantiles are known to the bucket, and the share
 * within 20 ms exactly. Fires, missed slots and slot → decision come from the runs, read back
 * through the API.
 */
record ProcessFire(WindowOptions options, List<String> nodeJavaOpts) {
  private static final String COMMIT_LATENESS = "raftcron_fire_commit_lateness_seconds";
  private static final double TARGET_SECONDS = 0.02;

  int run() throws Exception {
    options.check();
    try (ProcessCluster cluster = new ProcessCluster(nodeJavaOpts);
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(30))) {
      JobLoader.Load created = cluster.startWithJobs(client, options.jobs);
      // A node's first scrape loads and compiles its HTTP path (200-430 ms): not at the window's edge.
      for (String node : cluster.nodeIds()) {
        cluster.histogram(node, COMMIT_LATENESS);
      }
      Window window = Window.after(options.warmup(), options.seconds);
      Pause.until(window.start().minusMillis(500));
      String leader = cluster.awaitLeader(client, Duration.ofSeconds(5));
      long scrapeStart = System.nanoTime();
      ScrapedHistogram atStart = cluster.histogram(leader, COMMIT_LATENESS);
      double firstScrapeMs = (System.nanoTime() - scrapeStart) / 1e6;
      double cpuAtStart = cluster.cpuSeconds();
      double loadAtStart = Machine.loadAverage();
      Pause.until(window.end().minusMillis(500));
      scrapeStart = System.nanoTime();
      ScrapedHistogram commitLateness =
          cluster.histogram(leader, COMMIT_LATENESS).minus(atStart);
      double lastScrapeMs = (System.nanoTime() - scrapeStart) / 1e6;
      double cpu = cluster.cpuSeconds() - cpuAtStart;
      if (!cluster.awaitLeader(client, Duration.ofSeconds(5)).equals(leader)) {
        throw new IllegalStateException("the leader changed during the window: its commit lateness is not the window's");
      }
      window.awaitEnd();
      window.settle();
      WindowRuns runs = WindowRuns.read(cluster.grpcAddrs(), client, options.jobs, window, run -> {});

      long missed = runs.missed(options.jobs, window);
      double perSecond = runs.fired / (double) window.seconds();
      double p50 = commitLateness.quantileBound(0.50) * 1000;
      double p99 = commitLateness.quantileBound(0.99) * 1000;
      double within = commitLateness.shareWithin(TARGET_SECONDS);
      Result result = new Result("fire", loadAtStart)
          .put("mode", "3 server processes")
          .put("node_java_opts", String.join(" ", nodeJavaOpts))
          .put("nodes", 3)
          .put("jobs", options.jobs)
          .put("window_s", window.seconds())
          .put("job_create_per_s", created.perSecond())
          .put("committed_fires", runs.fired)
          .put("fires_per_s", perSecond)
          .latencyBounds("fire_commit_lateness_ms_bucket", commitLateness.count(), p50, p99)
          .put("fire_commit_within_20ms", within)
          .put("leader_scrape_ms", List.of(Math.round(firstScrapeMs), Math.round(lastScrapeMs)))
          .latency("fire_decision_lateness_ms", runs.decisionLateness)
          .put("missed_slots", missed)
          .put("skipped_slots", runs.skipped)
          .put("cpu_s", cpu)
          .put("cpu_s_per_1000_fires", runs.fired == 0 ? 0.0 : cpu * 1000 / runs.fired);
      result.line(String.format("%d jobs @every 1s, %d s window, 3 server processes (%s): %d fires (%.0f/s), %d missed, "
                  + "%d skipped", options.jobs, window.seconds(), String.join(" ", nodeJavaOpts), runs.fired, perSecond,
              missed, runs.skipped))
          .line(String.format("lateness slot → fire committed (leader %s): p50 ≤ %.1f ms, p99 ≤ %.1f ms (bucket "
              + "bounds); %.2f %% within 20 ms", leader, p50, p99, within * 100))
          .line("lateness slot → decision (fired_at): " + Result.ms(runs.decisionLateness))
          .line(String.format("CPU %.1f s of the node processes in the window (%.3f s per 1000 fires)",
              cpu, runs.fired == 0 ? 0.0 : cpu * 1000 / runs.fired));
      result.print(System.out, System.err);
      return 0;
    }
  }
}
