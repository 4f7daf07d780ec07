package io.raftcron.bench;

import io.raftcron.server.RaftcronServer;
import io.raftcron.server.ServerConfig;
import io.raftcron.sm.SchedulerStateMachine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Optional;
import org.apache.commons.io.FileUtils;

/**
 * Real raftcron nodes in this JVM on loopback ports, as the server module's LocalCluster does for
 * its tests: each node has its own data folder, Raft port and gRPC port, and tells a
 * {@link FireLedger} about everything it applies. Closing it stops every node and deletes the
 * folder.
 */
final class InProcessCluster implements AutoCloseable {
  private final Path dir;
  private final FireLedger ledger;
  private final List<ServerConfig> configs = new ArrayList<>();
  // Copy-on-write: the failover scenario stops a node on another thread while it watches the others.
  private final List<RaftcronServer> servers = new CopyOnWriteArrayList<>();

  InProcessCluster(int size, FireLedger ledger) throws IOException {
    this.dir = Files.createTempDirectory("raftcron-bench-");
    this.ledger = ledger;
    List<String> raftAddrs = new ArrayList<>();
    List<String> grpcAddrs = new ArrayList<>();
    int[] ports = freePorts(2 * size);
    for (int i = 0; i < size; i++) {
      raftAddrs.add("127.0.0.1:" + ports[2 * i]);
      grpcAddrs.add("127.0.0.1:" + ports[2 * i + 1]);
    }
    for (int i = 0; i < size; i++) {
      String id = "n" + (i + 1);
      configs.add(ServerConfig.builder(id, dir.resolve(id), raftAddrs.get(i), grpcAddrs.get(i), raftAddrs).build());
      servers.add(null);
    }
    try {
      for (ServerConfig config : configs) {
        start(config.nodeId());
      }
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
  }

  /** Three nodes with a leader (stopped again if none is elected within a minute). */
  static InProcessCluster ready(FireLedger ledger) throws IOException {
    InProcessCluster cluster = new InProcessCluster(3, ledger);
    try {
      cluster.awaitLeader(Duration.ofSeconds(60));
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts (or restarts on its data) node {@code nodeId}. */
  void start(String nodeId) throws IOException {
    int i = indexOf(nodeId);
    if (servers.get(i) != null) {
      throw new IllegalStateException(nodeId + " is running");
    }
    SchedulerStateMachine.ApplyListener observer = ledger.observer(nodeId);
    servers.set(
        i,
        RaftcronServer.start(
            configs.get(i),
            InstantSource.system(),
            () -> ledger.fatal(nodeId),
            observer,
            ledger.commits()));
  }

  /** Stops node {@code nodeId} (shutdown of its Raft node, gRPC server and store); its data stays. */
  void stop(String nodeId) {
    RaftcronServer server = detach(nodeId);
    if (server != null) {
      server.close();
    }
  }

  /** Takes node {@code nodeId} out of the running ones (null if it was not running); the caller closes it. */
  RaftcronServer detach(String nodeId) {
    int i = indexOf(nodeId);
    RaftcronServer server = servers.get(i);
    servers.set(i, null);
    return server;
  }

  Optional<RaftcronServer> leader() {
    return running().stream().filter(s -> s.raft().isLeader()).findFirst();
  }

  RaftcronServer awaitLeader(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<RaftcronServer> leader = leader();
      if (leader.isPresent()) {
        return leader.get();
      }
      Pause.millis(20);
    }
    throw new IllegalStateException("no leader within " + timeout);
  }

  /** Waits until node {@code nodeId} has applied {@code index}; returns how long that took from {@code since}. */
  Duration awaitApplied(String nodeId, long index, long sinceNanos, Duration timeout) {
    RaftcronServer node = node(nodeId).orElseThrow(() -> new IllegalStateException(nodeId + " is not running"));
    long deadline = System.nanoTime() + timeout.toNanos();
    while (node.store().appliedIndex() < index) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(nodeId + " did not apply index " + index + " within " + timeout);
      }
      Pause.millis(10);
    }
    return Duration.ofNanos(System.nanoTime() - sinceNanos);
  }

  Optional<RaftcronServer> node(String nodeId) {
    return Optional.ofNullable(servers.get(indexOf(nodeId)));
  }

  List<RaftcronServer> running() {
    return servers.stream().filter(s -> s != null).toList();
  }

  /** gRPC addresses of every node, the leader's first (so that writes need no forwarding hop). */
  List<String> grpcAddrs() {
    String leader = leader().map(s -> s.config().grpcAddr()).orElse("");
    return configs.stream()
        .map(ServerConfig::grpcAddr)
        .sorted(Comparator.comparing(a -> a.equals(leader) ? 0 : 1))
        .toList();
  }

  private int indexOf(String nodeId) {
    for (int i = 0; i < configs.size(); i++) {
      if (configs.get(i).nodeId().equals(nodeId)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no node " + nodeId);
  }

  @Override
  public void close() {
    for (int i = 0; i < servers.size(); i++) {
      RaftcronServer server = servers.get(i);
      if (server != null) {
        servers.set(i, null);
        server.close();
      }
    }
    try {
      FileUtils.deleteDirectory(dir.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete " + dir, e);
    }
  }

  /**
   * {@code count} distinct free ports: all held open until each is chosen (one at a time, the OS
   * may hand a just-closed port out again, and two nodes' addresses would collide).
   */
  static int[] freePorts(int count) throws IOException {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0));
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } finally {
      for (ServerSocket socket : sockets) {
        socket.close();
      }
    }
  }
}
