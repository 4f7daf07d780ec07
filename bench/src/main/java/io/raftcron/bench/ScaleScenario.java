package io.raftcron.bench;

import io.raftcron.server.RaftcronServer;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Many jobs: how fast they are created through the API, what they cost in heap, how long a
 * stopped follower takes to restart and catch up, and how long a new leader takes to rebuild its
 * schedule of every job and fire again.
 */
@Command(name = "scale", mixinStandardHelpOptions = true,
    description = "Create many jobs: create rate, heap, cold restart of a node, schedule rebuild on failover.")
final class ScaleScenario implements Callable<Integer> {
  /** Yearly at midnight, 1 January: never due while the benchmark runs, but tracked by the leader. */
  static final String YEARLY = "0 0 1 1 *";

  @Option(names = "--jobs", defaultValue = "100000", description = "Jobs to create (default ${DEFAULT-VALUE}).")
  int jobs;

  @Option(names = "--concurrency", defaultValue = "64", description = "Concurrent create calls (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Override
  public Integer call() throws Exception {
    if (jobs < 1 || concurrency < 1) {
      throw new IllegalArgumentException("--jobs and --concurrency must be at least 1");
    }
    FireLedger ledger = new FireLedger();
    try (InProcessCluster cluster = InProcessCluster.ready(ledger)) {
      double loadAtStart = Machine.loadAverage();
      double baseHeap = Machine.heapAfterGcMiB();
      double cpu0 = Machine.cpuSeconds();
      // One of the jobs fires every second: its next fire after a leader change includes the rebuild.
      JobLoader.Load load = JobLoader.create(cluster.grpcAddrs(), 0, jobs - 1, YEARLY, concurrency);
      double cpu = Machine.cpuSeconds() - cpu0;
      JobLoader.Load everySecond = JobLoader.create(cluster.grpcAddrs(), jobs - 1, 1, FireHarness.EVERY_SECOND, 1);
      double heap = Machine.heapAfterGcMiB();

      RaftcronServer leader = cluster.awaitLeader(Duration.ofSeconds(10));
      String follower = cluster.running().stream().filter(s -> s != leader).findFirst().orElseThrow()
          .config().nodeId();
      cluster.stop(follower);
      long restartStart = System.nanoTime();
      cluster.start(follower);
      double restartMs = cluster
          .awaitApplied(follower, leader.raft().appliedIndex(), restartStart, Duration.ofSeconds(300))
          .toNanos() / 1e6;

      String old = leader.config().nodeId();
      java.time.Instant stoppedAt = java.time.Instant.now();
      ledger.watchForFireNotBy(old, stoppedAt);
      cluster.stop(old);
      java.time.Instant nextFire = ledger.awaitFireAfterWatch(Duration.ofSeconds(120));
      double failoverMs = nextFire == null ? -1 : Duration.between(stoppedAt, nextFire).toNanos() / 1e6;

      long failures = load.failures() + everySecond.failures();
      Result result = new Result("scale", loadAtStart)
          .put("nodes", 3)
          .put("jobs", jobs)
          .put("create_concurrency", concurrency)
          .put("job_create_per_s", load.perSecond())
          .latency("job_create_ms", load.micros())
          .put("create_failures", failures)
          .put("cpu_s_per_1000_creates", cpu * 1000 / jobs)
          .put("heap_mib_3_nodes_before", baseHeap)
          .put("heap_mib_3_nodes_after", heap)
          .put("heap_bytes_per_job_3_nodes", (heap - baseHeap) * 1024 * 1024 / jobs)
          .put("restart_catch_up_ms", restartMs)
          .put("failover_next_fire_ms", failoverMs);
      result.line(String.format("%d jobs created at %.0f/s (%d concurrent calls), create %s",
              jobs, load.perSecond(), concurrency, Result.ms(load.micros())))
          .line(String.format("heap after GC, 3 nodes in one JVM: %.0f MiB → %.0f MiB (%.0f bytes per job)",
              baseHeap, heap, (heap - baseHeap) * 1024 * 1024 / jobs))
          .line(String.format("follower %s restarted cold and caught up in %.0f ms", follower, restartMs))
          .line(String.format("leader %s stopped: the successor rebuilt %d jobs and fired again after %.0f ms",
              old, jobs, failoverMs));
      result.print(System.out, System.err);
      if (nextFire == null) {
        System.err.println("scale: no fire within 120 s of the leader stop");
      }
      return failures == 0 && nextFire != null ? 0 : 1;
    }
  }
}
