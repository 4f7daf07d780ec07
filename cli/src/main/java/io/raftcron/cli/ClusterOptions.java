package io.raftcron.cli;

import io.raftcron.client.ClientSecurity;
import io.raftcron.client.RaftcronClient;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code --cluster}: where the nodes' gRPC endpoints are; {@code --token} and TLS: how to reach them. */
final class ClusterOptions {
  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(
      names = "--cluster",
      paramLabel = "HOST:PORT[,HOST:PORT...]",
      defaultValue = "${env:RAFTCRON_CLUSTER:-127.0.0.1:8001}",
      description = "gRPC addresses of any cluster nodes (env RAFTCRON_CLUSTER; default: ${DEFAULT-VALUE}).")
  String cluster;

  // No ${DEFAULT-VALUE} in the description: help must not print a token from the environment.
  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      defaultValue = "${env:RAFTCRON_TOKEN}",
      description = "Bearer token when the cluster requires one (env RAFTCRON_TOKEN, which keeps it out of `ps`).")
  String token;

  @Option(names = "--tls-ca", paramLabel = "PEM", description = "Use TLS and trust the nodes' certificates signed by this CA.")
  Path tlsCa;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Client certificate for mutual TLS (with --tls-key).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key of --tls-cert (PKCS#8 PEM).")
  Path tlsKey;

  ClientSecurity security() {
    try {
      return new ClientSecurity(token, tlsCa, tlsCert, tlsKey);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), e.getMessage());
    }
  }

  List<String> endpoints() {
    try {
      return RaftcronClient.parseEndpoints(cluster);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(command.commandLine(), "Invalid value for option '--cluster': " + e.getMessage());
    }
  }
}
