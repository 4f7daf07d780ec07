package io.raftcron.cli;

import com.google.protobuf.Message;
import io.raftcron.client.RaftcronClient;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** A command that makes calls to the cluster and prints the answer as a table or as JSON. */
abstract class ClientCommand implements Callable<Integer> {
  enum Format { TABLE, JSON }

  @Spec
  CommandSpec spec;

  @Mixin
  ClusterOptions cluster;

  @Option(
      names = "--output",
      paramLabel = "table|json",
      defaultValue = "table",
      converter = Converters.FormatConverter.class,
      description = "table (default) or json (the protobuf response in JSON).")
  Format output;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      defaultValue = "10s",
      converter = Converters.DurationConverter.class,
      description = "Give up when no node answered within this time (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Override
  public final Integer call() {
    if (timeout.isZero() || timeout.isNegative()) {
      throw usageError("--timeout must be positive");
    }
    validate();
    try (RaftcronClient client = RaftcronClient.connect(cluster.endpoints(), timeout, cluster.security())) {
      run(client);
    }
    return ExitCodes.OK;
  }

  /** Checks options that picocli can't; throws {@link ParameterException}. */
  void validate() {}

  abstract void run(RaftcronClient client);

  /** Prints {@code message} as JSON, or lets {@code table} print it for people. */
  final void print(Message message, Consumer<PrintWriter> table) {
    PrintWriter out = spec.commandLine().getOut();
    if (output == Format.JSON) {
      out.println(Views.json(message));
    } else {
      table.accept(out);
    }
    out.flush();
  }

  final ParameterException usageError(String message) {
    return new ParameterException(spec.commandLine(), message);
  }
}
