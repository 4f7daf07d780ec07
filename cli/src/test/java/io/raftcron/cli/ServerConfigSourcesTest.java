package io.raftcron.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Where `server` options come from: flag > RAFTCRON_* environment > --config file > default. */
class ServerConfigSourcesTest {
  @TempDir Path dir;
  private final StringWriter err = new StringWriter();

  private CommandLine commandLine(Map<String, String> env) {
    CommandLine cl = Main.commandLine();
    cl.getSubcommands().get("server").setDefaultValueProvider(new ServerDefaults(env));
    cl.setErr(new PrintWriter(err, true));
    return cl;
  }

  private ServerCommand parse(Map<String, String> env, String... args) {
    CommandLine.ParseResult result = commandLine(env).parseArgs(args);
    return (ServerCommand) result.subcommand().commandSpec().userObject();
  }

  private Path config(String yaml) throws Exception {
    Path file = dir.resolve("raftcron.yaml");
    Files.writeString(file, yaml);
    return file;
  }

  @Test
  void aFlagBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheDefault() throws Exception {
    Path file = config("""
        node-id: n-file
        data-dir: /var/lib/file
        raft-addr: 10.0.0.1:7001
        grpc-addr: 10.0.0.1:8001
        peers: [10.0.0.1:7001, 10.0.0.2:7001]
        lease-seconds: 12
        """);

    ServerCommand server = parse(Map.of("RAFTCRON_NODE_ID", "n-env", "RAFTCRON_LEASE_SECONDS", "20"),
        "server", "--config", file.toString(), "--lease-seconds", "25");

    assertThat(server.leaseSeconds).as("flag").isEqualTo(25);
    assertThat(server.nodeId).as("environment over file").isEqualTo("n-env");
    assertThat(server.dataDir).as("file").isEqualTo(Path.of("/var/lib/file"));
    assertThat(server.peers).as("a YAML list").isEqualTo("10.0.0.1:7001,10.0.0.2:7001");
    assertThat(server.electionTimeoutMs).as("default").isEqualTo(1000);
  }

  @Test
  void theConfigFileCanBeNamedByTheEnvironmentAndSetAFlagLikeJoin() throws Exception {
    Path file = config("""
        node-id: n4
        data-dir: /d
        raft-addr: 10.0.0.4:7001
        grpc-addr: 10.0.0.4:8001
        join: true
        """);

    ServerCommand server = parse(Map.of("RAFTCRON_CONFIG", file.toString()), "server");

    assertThat(server.join).isTrue();
    assertThat(server.peers).isNull();
    assertThat(server.nodeId).isEqualTo("n4");
  }

  @Test
  void theExampleConfigFileOfTheDeployFolderIsValid() {
    ServerCommand server = parse(Map.of(), "server", "--config", Path.of("../deploy/raftcron.yaml").toString());

    assertThat(server.nodeId).isEqualTo("n1");
    assertThat(server.peers.split(",")).hasSize(3).contains(server.raftAddr);
    assertThat(server.dataDir).isEqualTo(Path.of("/var/lib/raftcron"));
  }

  @Test
  void anUnknownKeyInTheConfigFileIsAUsageErrorThatNamesIt() throws Exception {
    Path file = config("node-id: n1\npeer: 10.0.0.1:7001\n");

    int code = commandLine(Map.of()).execute("server", "--config", file.toString());

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("unknown key(s) [peer]").contains("known keys:").contains("peers");
  }

  @Test
  void aConfigFileThatIsNotAMappingIsRefused() throws Exception {
    Path file = config("- just\n- a list\n");

    int code = commandLine(Map.of()).execute("server", "--config", file.toString());

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("must be a mapping of option names to values");
  }

  @Test
  void peersAndJoinAreExclusiveAndOneIsNeeded() {
    String[] base = {"server", "--node-id", "n1", "--data-dir", dir.resolve("n1").toString(),
        "--raft-addr", "127.0.0.1:1", "--grpc-addr", "127.0.0.1:2"};

    assertThat(commandLine(Map.of()).execute(concat(base, "--join", "--peers", "127.0.0.1:1")))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(commandLine(Map.of()).execute(base)).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("give either --peers").contains("or --join");
    assertThat(dir.resolve("n1")).doesNotExist();
  }

  @Test
  void restoringOntoADataDirWithDataIsRefusedAndChangesNothing() throws Exception {
    Path dataDir = dir.resolve("n1");
    Path stateFile = Files.createDirectories(dataDir.resolve("state")).resolve("CURRENT");
    Files.writeString(stateFile, "MANIFEST-000001\n");
    Path backup = Files.writeString(dir.resolve("b.backup"), "irrelevant");

    int code = commandLine(Map.of()).execute("server", "--node-id", "n1", "--data-dir", dataDir.toString(),
        "--raft-addr", "127.0.0.1:1", "--grpc-addr", "127.0.0.1:2", "--peers", "127.0.0.1:1",
        "--restore", backup.toString());

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--restore refused").contains("already holds data");
    try (var files = Files.list(dataDir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("state");
    }
    assertThat(Files.readString(stateFile)).isEqualTo("MANIFEST-000001\n");
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
