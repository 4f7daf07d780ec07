package io.raftcron.bench;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Committed fires per second and slot → commit lateness; runs stay queued (no workers). */
@Command(name = "fire", mixinStandardHelpOptions = true,
    description = "N jobs every second, no workers: committed fires/s and lateness slot → fire committed.")
final class FireScenario implements Callable<Integer> {
  @Mixin WindowOptions options;

  @Option(names = "--processes", description = "Three server processes, one node each, as deployed (default: one JVM).")
  boolean processes;

  @Mixin NodeProcessOptions nodes;

  @Override
  public Integer call() throws Exception {
    if (processes) {
      return new ProcessFire(options, nodes.javaOpts()).run();
    }
    try (FireHarness harness = new FireHarness(options)) {
      harness.openWindow();
      harness.closeWindow();
      Result result = harness.result("fire");
      result.put("heap_mib_3_nodes", Machine.heapAfterGcMiB());
      result.print(System.out, System.err);
      return harness.exitCode();
    }
  }
}
