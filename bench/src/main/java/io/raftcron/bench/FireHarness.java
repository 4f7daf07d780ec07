package io.raftcron.bench;

import java.io.IOException;
import java.time.Instant;

/**
 * The shared shape of the jobs-every-second scenarios: a three-node in-process cluster, N jobs
 * {@code @every 1s} created through the API, a warm-up, then a measurement window of whole
 * seconds. Every job has exactly one slot per second of the window, so the expected number of
 * fires is known and a missing one is a missed slot.
 */
final class FireHarness implements AutoCloseable {
  static final String EVERY_SECOND = "@every 1s";

  final FireLedger ledger = new FireLedger();
  final InProcessCluster cluster;
  final int jobs;
  final JobLoader.Load created;
  private final WindowOptions options;
  private Window window;
  private double cpuAtStart;
  private double loadAtStart;
  private double cpuAtEnd;

  /** Checks {@code options}, starts the cluster and creates the jobs. */
  FireHarness(WindowOptions options) throws IOException {
    options.check();
    this.options = options;
    this.jobs = options.jobs;
    this.cluster = InProcessCluster.ready(ledger);
    try {
      this.created = JobLoader.createEverySecond(cluster.grpcAddrs(), jobs);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Waits for the warm-up, then opens the options' window. */
  Instant openWindow() {
    window = Window.after(options.warmup(), options.seconds);
    ledger.window(window.start(), window.end());
    window.awaitStart();
    cpuAtStart = Machine.cpuSeconds();
    loadAtStart = Machine.loadAverage();
    return window.start();
  }

  /** Waits for the window's end, then lets its last slots settle. */
  void closeWindow() {
    window.awaitEnd();
    cpuAtEnd = Machine.cpuSeconds();
    window.settle();
  }

  int seconds() {
    return window.seconds();
  }

  long expectedFires() {
    return (long) jobs * seconds();
  }

  /** The common fields: throughput, lateness, duplicates, missed slots, CPU per 1000 fires. */
  Result result(String scenario) {
    Result r = new Result(scenario, loadAtStart)
        .put("nodes", 3)
        .put("jobs", jobs)
        .put("window_s", seconds())
        .put("job_create_per_s", created.perSecond());
    long fires = ledger.firesInWindow();
    double cpu = cpuAtEnd - cpuAtStart;
    r.put("committed_fires", fires)
        .put("fires_per_s", fires / (double) seconds())
        .latency("fire_commit_lateness_ms", ledger.commitLateness())
        .latency("fire_lateness_ms", ledger.fireLateness())
        .put("duplicates", ledger.duplicates())
        .put("missed_slots", Math.max(0, expectedFires() - fires))
        .put("skipped_decisions", ledger.skippedDecisions())
        .put("cpu_s", cpu)
        .put("cpu_s_per_1000_fires", fires == 0 ? 0.0 : cpu * 1000 / fires)
        .put("fatal_nodes", ledger.fatalNodes());
    r.line(String.format("%d jobs @every 1s, %d s window: %d committed fires (%.0f/s of %d expected/s), "
            + "%d duplicates, %d missed", jobs, seconds(), fires, fires / (double) seconds(), jobs,
            ledger.duplicates(), Math.max(0, expectedFires() - fires)))
        .line("lateness slot → fire committed (leader): " + Result.ms(ledger.commitLateness()))
        .line("lateness slot → fire applied (run queued, first node): " + Result.ms(ledger.fireLateness()))
        .line(String.format("CPU %.1f s in the window (%.3f s per 1000 fires, all 3 nodes in one JVM)",
            cpu, fires == 0 ? 0.0 : cpu * 1000 / fires));
    return r;
  }

  /** The scenario's exit status: 1 if any slot fired twice. */
  int exitCode() {
    return ledger.duplicates() == 0 ? 0 : 1;
  }

  @Override
  public void close() {
    cluster.close();
  }
}
