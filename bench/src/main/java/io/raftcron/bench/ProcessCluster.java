package io.raftcron.bench;

import io.raftcron.client.RaftcronClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.io.file.PathUtils;

/**
 * Three raftcron server processes on loopback, started with the product's own entry point
 * ({@code raftcron server}) from this JVM's class path, each in its own data folder with its log
 * beside it, and serving its metrics over HTTP. What it starts it kills on close (or at this JVM's exit: {@link
 * ChildProcesses}), and it removes the folder.
 */
final class ProcessCluster implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final List<String> IDS = List.of("n1", "n2", "n3");
  private final Path dir;
  private final List<String> javaOpts;
  private final List<String> raftAddrs = new ArrayList<>();
  private final List<String> grpcAddrs = new ArrayList<>();
  private final List<String> httpAddrs = new ArrayList<>();
  private final Map<String, Process> nodes = new LinkedHashMap<>();

  ProcessCluster(List<String> javaOpts) throws IOException {
    this.dir = Files.createTempDirectory("raftcron-bench-");
    this.javaOpts = javaOpts;
    int[] ports = InProcessCluster.freePorts(3 * IDS.size());
    for (int i = 0; i < IDS.size(); i++) {
      raftAddrs.add("127.0.0.1:" + ports[3 * i]);
      grpcAddrs.add("127.0.0.1:" + ports[3 * i + 1]);
      httpAddrs.add("127.0.0.1:" + ports[3 * i + 2]);
    }
  }

  List<String> nodeIds() {
    return IDS;
  }

  List<String> grpcAddrs() {
    return List.copyOf(grpcAddrs);
  }

  private void start() throws IOException {
    for (int i = 0; i < IDS.size(); i++) {
      String id = IDS.get(i);
      List<String> command = new ArrayList<>(List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString()));
      command.addAll(javaOpts);
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.raftcron.cli.Main",
          "server", "--node-id", id, "--data-dir", dir.resolve(id).toString(),
          "--raft-addr", raftAddrs.get(i), "--grpc-addr", grpcAddrs.get(i), "--http-addr", httpAddrs.get(i),
          "--peers", String.join(",", raftAddrs)));
      nodes.put(id, ChildProcesses.start(new ProcessBuilder(command)
          .redirectErrorStream(true)
          .redirectOutput(dir.resolve(id + ".log").toFile())));
    }
  }

  /** Starts the nodes, waits for a leader and creates {@code jobs} benchmark jobs firing every second. */
  JobLoader.Load startWithJobs(RaftcronClient client, int jobs) throws IOException {
    start();
    awaitLeader(client, Duration.ofSeconds(60));
    return JobLoader.createEverySecond(grpcAddrs(), jobs);
  }

  /** The leader's node id, once one leads (by the cluster's own status), within {@code timeout}. */
  String awaitLeader(RaftcronClient client, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        String leader = client.clusterStatus().getLeaderId();
        if (!leader.isEmpty() && nodes.containsKey(leader) && nodes.get(leader).isAlive()) {
          return leader;
        }
      } catch (RuntimeException e) {
        // no node answers yet, or the one asked knows no leader: ask again
      }
      Pause.millis(50);
    }
    throw new IllegalStateException("no leader within " + timeout + "; node logs in " + dir);
  }

  /** The node's histogram {@code name}, read from its metrics page (the node collects no other metric). */
  ScrapedHistogram histogram(String nodeId, String name) throws IOException, InterruptedException {
    URI uri = URI.create("http://" + httpAddrs.get(IDS.indexOf(nodeId)) + "/metrics?name%5B%5D=" + name);
    HttpResponse<String> response = HTTP.send(
        HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException(uri + " answered " + response.statusCode());
    }
    return ScrapedHistogram.parse(response.body(), name);
  }

  /** CPU time of the live node processes. */
  double cpuSeconds() {
    return nodes.values().stream()
        .filter(Process::isAlive)
        .mapToDouble(p -> p.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0))
        .sum();
  }

  /** SIGKILL: the node gets no chance to step down, hand over or flush. */
  void kill9(String nodeId) throws InterruptedException {
    Process node = nodes.get(nodeId);
    node.destroyForcibly();
    if (!node.waitFor(10, TimeUnit.SECONDS)) {
      throw new IllegalStateException(nodeId + " survived SIGKILL for 10 s");
    }
  }

  @Override
  public void close() {
    nodes.values().forEach(Process::destroyForcibly);
    for (Process node : nodes.values()) {
      try {
        node.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    try {
      PathUtils.deleteDirectory(dir);
    } catch (IOException e) {
      System.err.println("bench: could not remove " + dir + ": " + e.getMessage());
    }
  }
}
