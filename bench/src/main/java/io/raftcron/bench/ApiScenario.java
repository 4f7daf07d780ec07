package io.raftcron.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Latency of a committed job create and of a linearizable (ReadIndex) job get through gRPC. */
@Command(name = "api", mixinStandardHelpOptions = true,
    description = "Job create (committed) and linearizable get latency through the gRPC API.")
final class ApiScenario implements Callable<Integer> {
  @Option(names = "--requests", defaultValue = "2000", description = "Creates, then as many gets (default ${DEFAULT-VALUE}).")
  int requests;

  @Option(names = "--concurrency", defaultValue = "8", description = "Concurrent callers (default ${DEFAULT-VALUE}).")
  int concurrency;

  @Override
  public Integer call() throws Exception {
    if (requests < 1 || concurrency < 1) {
      throw new IllegalArgumentException("--requests and --concurrency must be at least 1");
    }
    try (InProcessCluster cluster = InProcessCluster.ready(new FireLedger())) {
      double loadAtStart = Machine.loadAverage();
      JobLoader.Load creates = JobLoader.create(cluster.grpcAddrs(), 0, requests, ScaleScenario.YEARLY, concurrency);
      JobLoader.Load gets = JobLoader.get(cluster.grpcAddrs(), 0, requests, concurrency);
      Result result = new Result("api", loadAtStart)
          .put("nodes", 3)
          .put("concurrency", concurrency)
          .put("creates_per_s", creates.perSecond())
          .latency("create_ms", creates.micros())
          .put("gets_per_s", gets.perSecond())
          .latency("linearizable_get_ms", gets.micros())
          .put("failures", creates.failures() + gets.failures());
      result.line(String.format("%d creates at %.0f/s, %s", requests, creates.perSecond(), Result.ms(creates.micros())))
          .line(String.format("%d linearizable gets at %.0f/s, %s", requests, gets.perSecond(), Result.ms(gets.micros())));
      result.print(System.out, System.err);
      return creates.failures() + gets.failures() == 0 ? 0 : 1;
    }
  }
}
