package io.raftcron.cli;

import io.raftcron.server.auth.Role;
import io.raftcron.server.auth.TokenFile;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "auth", description = "Tokens for `server --auth-tokens`.", subcommands = AuthCommand.HashToken.class)
final class AuthCommand {
  @Command(
      name = "hash-token",
      description = "Print a line for the --auth-tokens file (the token's SHA-256, a name, a role). Without"
          + " --token a new random token is made and printed on stderr: hand it to its user, it is not stored.")
  static final class HashToken implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--name", required = true, paramLabel = "NAME", description = "Who holds the token (shown in errors and logs).")
    String name;

    @Option(names = "--role", required = true, paramLabel = "ROLE", description = "admin, operator, viewer or worker.")
    String role;

    @Option(names = "--worker-id", paramLabel = "ID", description = "For role worker: the only worker id the token may act as.")
    String workerId;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:RAFTCRON_NEW_TOKEN}",
        description = "The token to hash (env RAFTCRON_NEW_TOKEN); default: a new random one.")
    String token;

    @Override
    public Integer call() {
      String line;
      String chosen = token == null || token.isBlank() ? TokenFile.newToken() : token;
      try {
        line = TokenFile.line(chosen, name, Role.parse(role), workerId);
      } catch (IllegalArgumentException e) {
        throw new ParameterException(spec.commandLine(), e.getMessage());
      }
      if (chosen != token) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("token for " + name + ": " + chosen);
        err.flush();
      }
      spec.commandLine().getOut().println(line);
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }
}
