package io.raftcron.cli;

import io.raftcron.client.worker.ShellHandler;
import io.raftcron.client.worker.Worker;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "worker",
    description = "Run leased runs' shell commands until SIGTERM or SIGINT. Leases are heartbeated every"
        + " third of their length; a run that is cancelled, whose lease is lost or that passes its job's"
        + " timeout is stopped (its whole process tree killed) and reported CANCELLED, not at all, or TIMED_OUT.")
final class WorkerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "4", description = "Runs at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--shutdown-grace",
      paramLabel = "DURATION",
      defaultValue = "30s",
      converter = Converters.DurationConverter.class,
      description = "On SIGTERM or SIGINT, how long the runs under way may go on to finish and be reported; those still"
          + " running then are stopped and not reported: they run again once their leases expire (default: ${DEFAULT-VALUE}).")
  Duration shutdownGrace;

  @Option(names = "--worker-id", paramLabel = "ID", description = "Name shown on runs (default: hostname-pid).")
  String workerId;

  @Override
  public Integer call() throws InterruptedException {
    Worker.Builder builder = Worker.builder()
        .endpoints(cluster.endpoints())
        .security(cluster.security())
        .concurrency(concurrency)
        .shutdownGrace(shutdownGrace)
        .handler(new ShellHandler());
    if (workerId != null) {
      builder.workerId(workerId);
    }
    Worker worker;
    try {
      worker = builder.build();
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      worker.close();
      stopped.countDown();
    }, "raftcron-worker-shutdown"));
    worker.start();
    stopped.await();
    return ExitCodes.OK;
  }
}
