package io.raftcron.bench;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code raftcron bench <scenario>} (through scripts/bench.sh): each scenario starts a fresh
 * three-node cluster in this JVM, runs its workload, prints one JSON line on stdout and a short
 * summary on stderr, and removes everything it started.
 */
@Command(
    name = "raftcron bench",
    mixinStandardHelpOptions = true,
    description = "Benchmark scenarios on a fresh in-process three-node cluster.",
    subcommands = {
      FireScenario.class,
      E2eScenario.class,
      FailoverScenario.class,
      ScaleScenario.class,
      ApiScenario.class,
      PeerScenario.class,
      CompareCommand.class
    })
public final class BenchMain implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new BenchMain()).execute(args);
  }

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "name a scenario: fire, e2e, failover, scale or api");
  }
}
