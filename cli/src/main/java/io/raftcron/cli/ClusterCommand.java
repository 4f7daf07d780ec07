package io.raftcron.cli;

import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.ClusterStatus;
import picocli.CommandLine.Command;

@Command(name = "cluster", description = "Inspect the cluster.", subcommands = ClusterCommand.Status.class)
final class ClusterCommand {

  @Command(name = "status", description = "The leader, its term, and each node's role and applied index.")
  static final class Status extends ClientCommand {
    @Override
    void run(RaftcronClient client) {
      ClusterStatus status = client.clusterStatus();
      print(status, out -> Views.cluster(out, status));
    }
  }
}
