package io.raftcron.server;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/** Three (or more) nodes in this JVM on loopback ports, each with its own data folder. */
final class LocalCluster implements AutoCloseable {
  private final List<ServerConfig> configs = new ArrayList<>();
  private final List<RaftcronServer> servers = new ArrayList<>();
  private final AtomicReference<Throwable> fatal = new AtomicReference<>();

  LocalCluster(Path dir, int size, Duration lease) throws IOException {
    this(dir, size, lease, b -> b);
  }

  /** A cluster whose node configs pass through {@code settings} (extra flags for every node). */
  LocalCluster(Path dir, int size, Duration lease, UnaryOperator<ServerConfig.Builder> settings)
      throws IOException {
    List<String> raftAddrs = new ArrayList<>();
    List<String> grpcAddrs = new ArrayList<>();
    List<String> httpAddrs = new ArrayList<>();
    int[] ports = freePorts(3 * size);
    for (int i = 0; i < size; i++) {
      raftAddrs.add("127.0.0.1:" + ports[3 * i]);
      grpcAddrs.add("127.0.0.1:" + ports[3 * i + 1]);
      httpAddrs.add("127.0.0.1:" + ports[3 * i + 2]);
    }
    for (int i = 0; i < size; i++) {
      configs.add(
          settings
              .apply(
                  ServerConfig.builder(
                          "n" + (i + 1), dir.resolve("n" + (i + 1)), raftAddrs.get(i), grpcAddrs.get(i), raftAddrs)
                      .leaseDuration(lease)
                      .httpAddr(httpAddrs.get(i)))
              .build());
    }
    try {
      for (ServerConfig config : configs) {
        servers.add(start(config));
      }
    } catch (IOException | RuntimeException e) {
      close(); // the nodes already started would otherwise outlive the test
      throw e;
    }
  }

  /** A cluster whose nodes are started by the caller ({@link #add}), e.g. restored from a backup. */
  LocalCluster() {}

  /**
   * Starts one more node in this JVM on fresh loopback ports; {@code settings} completes its config (peers
   * empty for a node that joins, restoreFrom for a restored one). Returns its config.
   */
  ServerConfig add(String nodeId, Path dataDir, List<String> peers, java.util.function.UnaryOperator<ServerConfig.Builder> settings,
      String raftAddr) throws IOException {
    ServerConfig config =
        settings.apply(ServerConfig.builder(nodeId, dataDir, raftAddr, "127.0.0.1:" + freePorts(1)[0], peers)).build();
    configs.add(config);
    servers.add(start(config));
    return config;
  }

  private RaftcronServer start(ServerConfig config) throws IOException {
    return RaftcronServer.start(
        config,
        InstantSource.system(),
        () -> fatal.compareAndSet(null, new IllegalStateException(config.nodeId() + " stopped on a fatal error")));
  }

  List<String> raftAddrs() {
    return configs.stream().map(ServerConfig::raftAddr).toList();
  }

  Optional<RaftcronServer> node(String nodeId) {
    return servers.stream().filter(s -> s != null && s.config().nodeId().equals(nodeId)).findFirst();
  }

  List<String> grpcAddrs() {
    return configs.stream().map(ServerConfig::grpcAddr).toList();
  }

  /** Base URLs of the nodes' HTTP endpoints, e.g. "http://127.0.0.1:41234". */
  List<String> httpUrls() {
    return configs.stream().map(c -> "http://" + c.httpAddr()).toList();
  }

  /** Waits at most {@code timeout} for a node to lead, and returns it. */
  RaftcronServer awaitLeader(Duration timeout) {
    return await().atMost(timeout).until(this::leader, Optional::isPresent).orElseThrow();
  }

  Optional<RaftcronServer> leader() {
    return servers.stream().filter(s -> s != null && s.raft().isLeader()).findFirst();
  }

  String leaderGrpcAddr() {
    return leader().orElseThrow().config().grpcAddr();
  }

  String followerGrpcAddr() {
    return running().stream().filter(s -> !s.raft().isLeader()).findFirst().orElseThrow().config().grpcAddr();
  }

  List<RaftcronServer> running() {
    return servers.stream().filter(s -> s != null).toList();
  }

  void stop(RaftcronServer server) {
    int i = servers.indexOf(server);
    server.close();
    servers.set(i, null);
  }

  void restart(String nodeId) throws IOException {
    for (int i = 0; i < configs.size(); i++) {
      if (configs.get(i).nodeId().equals(nodeId) && servers.get(i) == null) {
        servers.set(i, start(configs.get(i)));
      }
    }
  }

  Throwable fatalError() {
    return fatal.get();
  }

  @Override
  public void close() {
    servers.stream().filter(s -> s != null).forEach(RaftcronServer::close);
  }

  /** Distinct free ports: all sockets stay open until every port is picked, so none repeats. */
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
