package io.raftcron.e2e;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.raftcron.proto.ClusterStatus;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real raftcron processes started from the built artifacts (target/raftcron.jar and its lib/),
 * each with its own log file. Everything it starts is killed and reaped on close.
 */
final class NodeProcesses implements AutoCloseable {
  private static final Path JAR = Path.of(System.getProperty("raftcron.jar", "target/raftcron.jar"));

  private final Path dir;
  private final List<String> raftAddrs = new ArrayList<>();
  private final List<String> grpcAddrs = new ArrayList<>();
  private final Map<String, Process> nodes = new LinkedHashMap<>();
  private final List<Process> others = new ArrayList<>();

  NodeProcesses(Path dir, int size) throws IOException {
    if (!Files.isRegularFile(JAR)) {
      throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: package the cli module first");
    }
    this.dir = Files.createDirectories(dir);
    for (int i = 0; i < size; i++) {
      raftAddrs.add("127.0.0.1:" + freePort());
      grpcAddrs.add("127.0.0.1:" + freePort());
    }
  }

  String cluster() {
    return String.join(",", grpcAddrs);
  }

  void startNode(int i, String... extra) throws IOException {
    startNode(i, raftAddrs, extra);
  }

  /** Starts node i with {@code peers} as its initial cluster, or with --join when {@code peers} is empty. */
  void startNode(int i, List<String> peers, String... extra) throws IOException {
    String id = nodeId(i);
    List<String> args = new ArrayList<>(List.of(
        "server", "--node-id", id, "--data-dir", dir.resolve(id).toString(),
        "--raft-addr", raftAddrs.get(i), "--grpc-addr", grpcAddrs.get(i)));
    args.addAll(peers.isEmpty() ? List.of("--join") : List.of("--peers", String.join(",", peers)));
    args.addAll(List.of(extra));
    nodes.put(id, start(id, args));
  }

  static String nodeId(int i) {
    return "n" + (i + 1);
  }

  String raftAddr(int i) {
    return raftAddrs.get(i);
  }

  List<String> raftAddrs() {
    return List.copyOf(raftAddrs);
  }

  List<String> grpcAddrs() {
    return List.copyOf(grpcAddrs);
  }

  /** SIGTERM, and waits for the node to exit: a clean shutdown, as systemd or an operator would stop it. */
  void stop(String nodeId) throws InterruptedException {
    Process p = nodes.get(nodeId);
    p.destroy();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(nodeId + " did not stop within 30 s of SIGTERM");
    }
  }

  Process startWorker(String workerId, int concurrency) throws IOException {
    Process worker = start(workerId, List.of(
        "worker", "--cluster", cluster(), "--worker-id", workerId, "--concurrency", String.valueOf(concurrency)));
    others.add(worker);
    return worker;
  }

  /** Sends a signal by name (STOP, CONT, …) to a process this started, and waits for kill(1). */
  void signal(Process process, String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
        .start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      kill.destroyForcibly();
      throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
    }
  }

  /** SIGKILL: the node gets no chance to flush, step down or say goodbye. */
  void kill9(String nodeId) throws InterruptedException {
    Process p = nodes.get(nodeId);
    p.destroyForcibly();
    p.waitFor(10, TimeUnit.SECONDS);
  }

  /** Runs a client command to completion and returns its standard output. */
  String cli(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(javaCommand());
    command.addAll(List.of(args));
    command.addAll(List.of("--cluster", cluster()));
    Path out = Files.createTempFile(dir, "cli", ".out");
    Path err = Files.createTempFile(dir, "cli", ".err");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("raftcron " + String.join(" ", args) + " did not finish in 60 s");
    }
    if (p.exitValue() != 0) {
      throw new CliFailure(p.exitValue(), Files.readString(err));
    }
    return Files.readString(out);
  }

  /** Runs a client command with {@code --output json} and reads its answer into {@code builder}. */
  <B extends Message.Builder> B cliJson(B builder, String... args) throws IOException, InterruptedException {
    List<String> json = new ArrayList<>(List.of(args));
    json.addAll(List.of("--output", "json"));
    JsonFormat.parser().ignoringUnknownFields().merge(cli(json.toArray(String[]::new)), builder);
    return builder;
  }

  /** The leader's node id as {@code cluster status} shows it; null while there is none or no node answers. */
  String leader() throws InterruptedException {
    try {
      String leader = cliJson(ClusterStatus.newBuilder(), "cluster", "status").getLeaderId();
      return leader.isEmpty() ? null : leader;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** Prints the last lines of every process's log: what a failed test needs to be diagnosed. */
  void dumpLogs(int lines) {
    List<String> names = new ArrayList<>(nodes.keySet());
    try (var files = Files.list(dir)) {
      files.map(p -> p.getFileName().toString())
          .filter(f -> f.endsWith(".log"))
          .map(f -> f.substring(0, f.length() - 4))
          .filter(n -> !names.contains(n))
          .sorted()
          .forEach(names::add);
    } catch (IOException e) {
      // print what we know
    }
    for (String name : names) {
      try {
        List<String> all = Files.readAllLines(log(name));
        System.out.println("---- " + name + ".log (last " + lines + " lines) ----");
        all.subList(Math.max(0, all.size() - lines), all.size()).forEach(System.out::println);
      } catch (IOException e) {
        System.out.println("---- " + name + ".log: " + e);
      }
    }
  }

  Path log(String name) {
    return dir.resolve(name + ".log");
  }

  private Process start(String name, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(javaCommand());
    command.addAll(args);
    return new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile()))
        .start();
  }

  private static List<String> javaCommand() {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    // Small heaps: three nodes, a worker and the clients share two cores.
    return List.of(java, "-Xmx160m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", JAR.toAbsolutePath().toString());
  }

  @Override
  public void close() throws InterruptedException {
    List<Process> all = new ArrayList<>(nodes.values());
    all.addAll(others);
    for (Process p : all) {
      p.destroyForcibly();
    }
    for (Process p : all) {
      p.waitFor(Duration.ofSeconds(10).toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** A client command that exited non-zero. */
  static final class CliFailure extends RuntimeException {
    final int exitCode;

    CliFailure(int exitCode, String stderr) {
      super("exit " + exitCode + ": " + stderr.strip());
      this.exitCode = exitCode;
    }
  }
}
