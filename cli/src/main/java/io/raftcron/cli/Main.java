package io.raftcron.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code raftcron} command. */
@Command(
    name = "raftcron",
    description = "A distributed cron scheduler on Raft: exactly-once triggering, at-least-once fenced execution.",
    versionProvider = Main.Version.class,
    subcommands = {
      ServerCommand.class,
      AuthCommand.class,
      JobCommand.class,
      RunCommand.class,
      ClusterCommand.class,
      WorkerCommand.class,
      AlertsCommand.class
    })
public final class Main {
  /** System property for the root log level (logback.xml); -Draftcron.log.level=DEBUG overrides. */
  static final String LOG_LEVEL_PROPERTY = "raftcron.log.level";

  // Not --version on every command: `job update` has its own --version.
  @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "Show this help.")
  boolean help;

  @Option(names = {"-V", "--version"}, versionHelp = true, description = "Print the version.")
  boolean version;

  public static void main(String[] args) {
    configureLogLevel(args);
    System.exit(commandLine().execute(args));
  }

  /** The command line with raftcron's error handling, for main and for tests. */
  public static CommandLine commandLine() {
    return new CommandLine(new Main()).setExecutionExceptionHandler(new ErrorHandler());
  }

  /** The daemons log at INFO, client commands only warn. Runs before logback reads its config. */
  static void configureLogLevel(String[] args) {
    boolean daemon = args.length > 0 && (args[0].equals("server") || args[0].equals("worker"));
    if (daemon && System.getProperty(LOG_LEVEL_PROPERTY) == null) {
      System.setProperty(LOG_LEVEL_PROPERTY, "INFO");
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"raftcron " + (version == null ? "(development build)" : version)};
    }
  }
}
