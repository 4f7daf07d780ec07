package io.raftcron.cli;

import io.raftcron.client.RaftcronClient;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --cluster}: where the nodes' gRPC endpoints are. */
final class ClusterOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--cluster",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      defaultValue = "${env:RAFTCRON_CLUSTER:-127.0.0.1:8001}",
      description = "gRPC addresses of any cluster nodes (env RAFTCRON_CLUSTER; default: ${DEFAULT-VALUE}).")
  String cluster;

  List<String> endpoints() {
    try {
      return RaftcronClient.parseEndpoints(cluster);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), "Invalid value for option '--cluster': " + e.getMessage());
    }
  }
}
