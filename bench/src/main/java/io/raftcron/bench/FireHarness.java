package io.raftcron.bench;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * The shared shape of the jobs-every-second scenarios: a three-node in-process cluster, N jobs
 * {@code @every 1s} created through the API, a warm-up, then a measurement window of whole
 * seconds. Every job has exactly one slot per second of the window, so the expected number of
 * fires is known and a missing one is a missed slot.
 */
final class FireHarness implements AutoCloseable {
  static final String EVERY_SECOND = "@every 1s";
  /** After the window, how long the last slots get to commit before they count as missed. */
  private static final Duration SETTLE = Duration.ofSeconds(3);

  final FireLedger ledger = new FireLedger();
  final InProcessCluster cluster;
  final int jobs;
  final JobLoader.Load created;
  private Instant start;
  private Instant end;
  private double cpuAtStart;
  private double loadAtStart;
  private double cpuAtEnd;

  FireHarness(int jobs) throws IOException {
    this.jobs = jobs;
    this.cluster = new InProcessCluster(3, ledger);
    try {
      cluster.awaitLeader(Duration.ofSeconds(60));
      this.created = JobLoader.create(cluster.grpcAddrs(), 0, jobs, EVERY_SECOND, 32);
      if (created.failures() > 0) {
        throw new IllegalStateException(created.failures() + " of " + jobs + " job creations failed");
      }
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Waits {@code warmup}, then opens a window of {@code seconds} whole seconds. */
  Instant openWindow(Duration warmup, int seconds) {
    Pause.millis(warmup.toMillis());
    start = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
    end = start.plusSeconds(seconds);
    ledger.window(start, end);
    sleepUntil(start);
    cpuAtStart = Machine.cpuSeconds();
    loadAtStart = Machine.loadAverage();
    return start;
  }

  /** Waits for the window's end, then lets its last slots settle. */
  void closeWindow() {
    sleepUntil(end);
    cpuAtEnd = Machine.cpuSeconds();
    Pause.millis(SETTLE.toMillis());
  }

  int seconds() {
    return (int) Duration.between(start, end).toSeconds();
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
        .line("lateness slot → fire committed: " + Result.ms(ledger.fireLateness()))
        .line(String.format("CPU %.1f s in the window (%.3f s per 1000 fires, all 3 nodes in one JVM)",
            cpu, fires == 0 ? 0.0 : cpu * 1000 / fires));
    return r;
  }

  static void sleepUntil(Instant t) {
    long ms = Duration.between(Instant.now(), t).toMillis();
    if (ms > 0) {
      Pause.millis(ms);
    }
  }

  @Override
  public void close() {
    cluster.close();
  }
}
