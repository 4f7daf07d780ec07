package io.raftcron.cli;

import io.raftcron.client.RaftcronException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/** Prints {@code error: <message>} and picks the exit code; usage errors are picocli's. */
final class ErrorHandler implements IExecutionExceptionHandler {
  @Override
  public int handleExecutionException(Exception e, CommandLine commandLine, ParseResult parseResult) {
    if (e instanceof RaftcronException refused) {
      commandLine.getErr().println("error: " + refused.getMessage());
      return ExitCodes.of(refused.code());
    }
    commandLine.getErr().println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
    return ExitCodes.USER_ERROR;
  }
}
