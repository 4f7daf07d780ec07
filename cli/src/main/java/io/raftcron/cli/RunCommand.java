package io.raftcron.cli;

import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.Run;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "run", description = "Inspect runs.", subcommands = RunCommand.Get.class)
final class RunCommand {

  @Command(name = "get", description = "Show a run.")
  static final class Get extends ClientCommand {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "<job>@<slot>, as 'job runs' shows it.")
    String runId;

    @Override
    void run(RaftcronClient client) {
      Run run = client.getRun(runId);
      print(run, out -> Views.runs(out, List.of(run)));
    }
  }
}
