package io.raftcron.bench;

import java.util.List;
import picocli.CommandLine.Option;

/** The options of scenarios that run each node as a {@code raftcron server} process. */
final class NodeProcessOptions {
  @Option(names = "--node-java-opts", defaultValue = "-Xms512m -Xmx512m",
      description = "JVM options of each server process (default: ${DEFAULT-VALUE}).")
  String nodeJavaOpts;

  List<String> javaOpts() {
    return List.of(nodeJavaOpts.trim().split("\\s+"));
  }
}
