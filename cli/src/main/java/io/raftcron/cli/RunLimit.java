package io.raftcron.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code --limit} of the commands that list runs, checked as it is parsed. */
final class RunLimit {
  @Spec(Spec.Target.MIXEE)
  CommandSpec mixee;

  private int value;

  @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N runs (default: ${DEFAULT-VALUE}).")
  void set(int limit) {
    if (limit < 1) {
      throw new ParameterException(mixee.commandLine(), "--limit must be at least 1");
    }
    value = limit;
  }

  int value() {
    return value;
  }
}
