package io.raftcron.server;

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
    this(dir, size, lease, UnaryOperator.identity());
  }

  /** As above, with {@code customize} applied to every node's configuration (auth, TLS, limits). */
  LocalCluster(Path dir, int size, Duration lease, UnaryOperator<ServerConfig.Builder> customize)
      throws IOException {
    List<String> raftAddrs = new ArrayList<>();
    List<String> grpcAddrs = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      raftAddrs.add("127.0.0.1:" + freePort());
      grpcAddrs.add("127.0.0.1:" + freePort());
    }
    for (int i = 0; i < size; i++) {
      configs.add(
          customize
              .apply(ServerConfig.builder(
                      "n" + (i + 1), dir.resolve("n" + (i + 1)), raftAddrs.get(i), grpcAddrs.get(i), raftAddrs)
                  .leaseDuration(lease))
              .build());
    }
    for (ServerConfig config : configs) {
      servers.add(start(config));
    }
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

  List<String> grpcAddrs() {
    return configs.stream().map(ServerConfig::grpcAddr).toList();
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

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
