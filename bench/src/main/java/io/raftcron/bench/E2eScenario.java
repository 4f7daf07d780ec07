package io.raftcron.bench;

import io.raftcron.client.worker.Outcome;
import io.raftcron.client.worker.Worker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Fire → lease → no-op handler → completion committed, with the SDK's Worker in this JVM. */
@Command(name = "e2e", mixinStandardHelpOptions = true,
    description = "N jobs every second run by in-process workers with a no-op handler: completed runs/s.")
final class E2eScenario implements Callable<Integer> {
  @Mixin WindowOptions options;

  // Runs in flight are what an end-to-end run rate needs (each waits for a lease and a completion commit): with
  // 2 × 64 slots the rate was capped near 400 runs/s by Little's law, not by the cluster.
  @Option(names = "--workers", defaultValue = "4", description = "Workers (default ${DEFAULT-VALUE}).")
  int workers;

  @Option(names = "--concurrency", defaultValue = "250", description = "Runs each worker holds at once (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Override
  public Integer call() throws Exception {
    try (FireHarness harness = new FireHarness(options)) {
      List<Worker> started = new ArrayList<>();
      try {
        for (int i = 0; i < workers; i++) {
          Worker worker = Worker.builder()
              .endpoints(harness.cluster.grpcAddrs())
              .workerId("bench-worker-" + (i + 1))
              .concurrency(concurrency)
              .pollWait(Duration.ofSeconds(5))
              .handler(run -> Outcome.success())
              .build();
          worker.start();
          started.add(worker);
        }
        harness.openWindow();
        harness.closeWindow();
      } finally {
        started.forEach(Worker::close);
      }
      Result result = harness.result("e2e");
      long runs = harness.ledger.completionsInWindow();
      result.put("workers", workers)
          .put("worker_concurrency", concurrency)
          .put("completed_runs", runs)
          .put("runs_per_s", runs / (double) harness.seconds())
          .latency("completion_lateness_ms", harness.ledger.completionLateness())
          .put("unfinished_runs", Math.max(0, harness.expectedFires() - runs));
      result.line(String.format("%d workers × %d: %d runs completed (%.0f/s), slot → completion committed: %s",
          workers, concurrency, runs, runs / (double) harness.seconds(),
          Result.ms(harness.ledger.completionLateness())));
      result.print(System.out, System.err);
      return harness.exitCode();
    }
  }
}
