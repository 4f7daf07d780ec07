package io.raftcron.cli;

import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

@Command(
    name = "run",
    description = "Inspect and cancel runs.",
    subcommands = {RunCommand.Get.class, RunCommand.ListRuns.class, RunCommand.Cancel.class})
final class RunCommand {

  @Command(name = "get", description = "Show a run with every attempt (and its error) and any refused completion.")
  static final class Get extends ClientCommand {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "<job>@<slot>, as 'job runs' shows it.")
    String runId;

    @Override
    void run(RaftcronClient client) {
      Run run = client.getRun(runId);
      print(run, out -> Views.run(out, run));
    }
  }

  @Command(
      name = "list",
      description = "List runs newest first, of one job or of all; '--state FAILED' is the dead-letter view.")
  static final class ListRuns extends ClientCommand {
    @Option(names = "--job", paramLabel = "NAME", description = "Only this job's runs (default: every job).")
    String job;

    @Option(
        names = "--state",
        paramLabel = "STATE",
        converter = StateConverter.class,
        description = "Only runs in this state: QUEUED, LEASED, RETRY_WAIT, SUCCEEDED, FAILED, TIMED_OUT, SKIPPED, CANCELLED.")
    RunState state;

    @Mixin
    RunLimit limit;

    @Override
    void run(RaftcronClient client) {
      ListRunsResponse runs =
          ListRunsResponse.newBuilder().addAllRuns(client.listRuns(job, state, limit.value())).build();
      print(runs, out -> Views.runs(out, runs.getRunsList()));
    }
  }

  @Command(
      name = "cancel",
      description = "Cancel a run: a queued or retry-waiting run ends CANCELLED at once; a leased run's"
          + " worker is told by its next heartbeat, stops it and reports it CANCELLED.")
  static final class Cancel extends ClientCommand {
    @Parameters(index = "0", paramLabel = "RUN_ID", description = "<job>@<slot>, as 'run list' shows it.")
    String runId;

    @Override
    void run(RaftcronClient client) {
      Run run = client.cancelRun(runId);
      print(run, out -> {
        out.println(run.getState() == RunState.CANCELLED
            ? "cancelled run " + run.getRunId()
            : "cancel requested for run " + run.getRunId() + " (leased to " + run.getWorker()
                + "; it stops at its next heartbeat)");
        Views.runs(out, List.of(run));
      });
    }
  }

  /** A run state by name, any case; '-' and '_' alike (retry-wait = RETRY_WAIT). */
  static final class StateConverter implements ITypeConverter<RunState> {
    private static final List<RunState> STATES = Arrays.stream(RunState.values())
        .filter(s -> s != RunState.RUN_STATE_UNSPECIFIED && s != RunState.UNRECOGNIZED)
        .toList();

    @Override
    public RunState convert(String value) {
      String name = value.toUpperCase(Locale.ROOT).replace('-', '_');
      return STATES.stream()
          .filter(s -> s.name().equals(name))
          .findFirst()
          .orElseThrow(() -> new TypeConversionException("expected one of "
              + STATES.stream().map(RunState::name).collect(Collectors.joining(", ")) + " but was '" + value + "'"));
    }
  }
}
