package io.raftcron.server;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.raftcron.proto.NodeInfo;
import io.raftcron.raft.RaftNode;
import io.raftcron.raft.RaftNodeConfig;
import io.raftcron.server.api.ClusterService;
import io.raftcron.server.api.Forwarder;
import io.raftcron.server.api.Gateway;
import io.raftcron.server.api.JobService;
import io.raftcron.server.api.RunService;
import io.raftcron.server.api.WorkerService;
import io.raftcron.server.http.HttpEndpoint;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftcron.server.leader.Leadership;
import io.raftcron.server.leader.Proposer;
import io.raftcron.sm.Safeguards;
import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.store.SchedulerStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One scheduler node: the state store, the Raft node replicating it, the leader's loops and
 * the gRPC endpoint for clients and workers.
 */
public final class RaftcronServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RaftcronServer.class);

  private final ServerConfig config;
  private final SchedulerStore store;
  private final ScheduledExecutorService leaderExecutor;
  private final ScheduledExecutorService background;
  private final RaftNode raft;
  private final Forwarder forwarder;
  private final NodeRegistrar registrar;
  private final Server grpc;
  /** This node's metrics; not the global default registry, since tests run three nodes in one JVM. */
  private final PrometheusRegistry metrics = new PrometheusRegistry();
  private final HttpEndpoint http;
  private boolean closed;

  /**
   * Starts a node on the system clock, guarded against wall-clock jumps; a state machine that
   * cannot go on halts the process.
   */
  public static RaftcronServer start(ServerConfig config) throws IOException {
    return start(config, JumpResistantClock.system(), () -> Runtime.getRuntime().halt(70));
  }

  /** Starts a node with the given clock and what to do when its state machine must stop. */
  public static RaftcronServer start(ServerConfig config, InstantSource clock, Runnable onFatal)
      throws IOException {
    return start(config, clock, onFatal, (index, command, result) -> {});
  }

  /**
   * Starts a node that also tells {@code observer} about every applied command, on the applying
   * thread (it must not block): benchmarks measure commit lateness with it.
   */
  public static RaftcronServer start(
      ServerConfig config,
      InstantSource clock,
      Runnable onFatal,
      SchedulerStateMachine.ApplyListener observer)
      throws IOException {
    return new RaftcronServer(config, clock, onFatal, observer);
  }

  private RaftcronServer(
      ServerConfig config,
      InstantSource clock,
      Runnable onFatal,
      SchedulerStateMachine.ApplyListener observer)
      throws IOException {
    this.config = config;
    this.store = SchedulerStore.open(config.dataDir().resolve("state"));
    this.leaderExecutor = Executors.newSingleThreadScheduledExecutor(daemon("raftcron-leader"));
    this.background = Executors.newSingleThreadScheduledExecutor(daemon("raftcron-background"));
    NodeInfo self =
        NodeInfo.newBuilder()
            .setNodeId(config.nodeId())
            .setRaftAddr(config.raftAddr())
            .setGrpcAddr(config.grpcAddr())
            .build();

    Proposer proposer = new Proposer(clock, config.nodeId());
    Leadership leadership =
        new Leadership(store, proposer, clock, config.leaseDuration(), leaderExecutor, onFatal);
    SchedulerStateMachine stateMachine =
        new SchedulerStateMachine(
            store,
            safeguards(),
            (index, command, result) -> {
              leadership.onApplied(command, result);
              observer.onApplied(index, command, result);
            });
    this.raft =
        RaftNode.start(
            RaftNodeConfig.of(config.raftAddr(), config.peers(), config.dataDir().resolve("raft"))
                .withElectionTimeoutMs(config.electionTimeoutMs())
                .withSnapshotIntervalSecs(config.snapshotIntervalSecs()),
            new StateMachineBridge(stateMachine),
            leadership);
    proposer.attach(raft);

    this.forwarder = new Forwarder(config.nodeId(), raft, store);
    Gateway gateway = new Gateway(raft, proposer, forwarder);
    InetSocketAddress grpcAddress = socketAddress(config.grpcAddr());
    this.grpc =
        NettyServerBuilder.forAddress(grpcAddress)
            .addService(ServerInterceptors.intercept(new JobService(gateway, store, clock), Forwarder.interceptor()))
            .addService(ServerInterceptors.intercept(new RunService(gateway, store), Forwarder.interceptor()))
            .addService(
                ServerInterceptors.intercept(
                    new ClusterService(self, gateway, raft, store, forwarder), Forwarder.interceptor()))
            .addService(
                ServerInterceptors.intercept(
                    new WorkerService(gateway, leadership), Forwarder.interceptor()))
            .build()
            .start();
    this.registrar = new NodeRegistrar(self, raft, store, proposer, forwarder, background);
    JvmMetrics.builder().register(metrics);
    // The HTTP API serves the gRPC server's registered services, so every interceptor must be on
    // the service definitions (ServerInterceptors.intercept), not on the server builder.
    try {
      this.http =
          config.httpAddr() == null
              ? null
              : HttpEndpoint.start(socketAddress(config.httpAddr()), grpc.getServices(), raft, metrics);
    } catch (IOException | RuntimeException e) {
      close();
      throw e;
    }
    log.info(
        "node {} started: raft {}, gRPC {}, HTTP {}, peers {}",
        config.nodeId(),
        config.raftAddr(),
        config.grpcAddr(),
        config.httpAddr() == null ? "off" : http.address(),
        config.peers());
  }

  public RaftNode raft() {
    return raft;
  }

  public SchedulerStore store() {
    return store;
  }

  public ServerConfig config() {
    return config;
  }

  /** The registry this node's /metrics serves. */
  public PrometheusRegistry metrics() {
    return metrics;
  }

  /** The HTTP endpoint's bound address, when the node has one. */
  public Optional<InetSocketAddress> httpAddress() {
    return Optional.ofNullable(http).map(HttpEndpoint::address);
  }

  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    registrar.close();
    if (http != null) {
      http.close();
    }
    grpc.shutdownNow();
    forwarder.close();
    raft.close();
    leaderExecutor.shutdownNow();
    background.shutdownNow();
    try {
      grpc.awaitTermination(5, TimeUnit.SECONDS);
      leaderExecutor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    store.close();
    log.info("node {} stopped", config.nodeId());
  }

  /** Always {@link Safeguards#ENFORCED}, unless the chaos suite's test jar is on the class path. */
  private static Safeguards safeguards() {
    Safeguards safeguards =
        ServiceLoader.load(Safeguards.TestOverride.class)
            .findFirst()
            .map(Safeguards.TestOverride::safeguards)
            .orElse(Safeguards.ENFORCED);
    if (!safeguards.equals(Safeguards.ENFORCED)) {
      log.warn("TEST BUILD: safety checks weakened by a test override on the class path: {}", safeguards);
    }
    return safeguards;
  }

  static InetSocketAddress socketAddress(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("'" + hostPort + "' is not host:port");
    }
    return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
