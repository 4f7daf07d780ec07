package io.raftcron.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyServerBuilder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftcron.proto.NodeInfo;
import io.raftcron.raft.RaftNode;
import io.raftcron.raft.RaftNodeConfig;
import io.raftcron.server.api.AlertService;
import io.raftcron.server.api.BoundedStatusMessages;
import io.raftcron.server.api.ClusterService;
import io.raftcron.server.api.Forwarder;
import io.raftcron.server.api.Gateway;
import io.raftcron.server.api.JobService;
import io.raftcron.server.api.RunService;
import io.raftcron.server.api.WorkerService;
import io.raftcron.server.http.HttpEndpoint;
import io.raftcron.server.leader.AlertSetup;
import io.raftcron.server.leader.AlertWebhook;
import io.raftcron.server.leader.CommitObserver;
import io.raftcron.server.auth.AuthInterceptor;
import io.raftcron.server.auth.Role;
import io.raftcron.server.auth.SecretRedaction;
import io.raftcron.server.auth.TokenFile;
import io.raftcron.server.leader.Leadership;
import io.raftcron.server.leader.Proposer;
import io.raftcron.server.metrics.NodeMetrics;
import io.raftcron.server.metrics.RunTracer;
import io.raftcron.sm.Safeguards;
import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.store.SchedulerStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
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
  /** Under the data folder: where backups put their checkpoints while they stream. */
  static final String BACKUP_WORK = "tmp";
  private static final Logger log = LoggerFactory.getLogger(RaftcronServer.class);

  private final ServerConfig config;
  private final PrometheusRegistry registry;
  private final SchedulerStore store;
  private final ScheduledExecutorService leaderExecutor;
  private final ScheduledExecutorService background;
  private final RunTracer tracer;
  private final Leadership leadership;
  private final RaftNode raft;
  private final Forwarder forwarder;
  private final NodeRegistrar registrar;
  private final Server grpc;
  private final HttpEndpoint http;
  private final List<ServerServiceDefinition> services = new ArrayList<>();
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
    return start(config, clock, onFatal, (index, command, result) -> {}, CommitObserver.NONE);
  }

  /**
   * Starts a node that also tells {@code applied} about every applied command and {@code committed}
   * about the commit of every command it proposes as the leader, both on jraft's FSM thread (they
   * must not block): benchmarks measure fire lateness with them.
   */
  public static RaftcronServer start(
      ServerConfig config,
      InstantSource clock,
      Runnable onFatal,
      SchedulerStateMachine.ApplyListener applied,
      CommitObserver committed)
      throws IOException {
    return new RaftcronServer(config, clock, onFatal, applied, committed);
  }

  private RaftcronServer(
      ServerConfig config,
      InstantSource clock,
      Runnable onFatal,
      SchedulerStateMachine.ApplyListener observer,
      CommitObserver committed)
      throws IOException {
    this.config = config;
    this.registry = new PrometheusRegistry(); // per node: tests run three nodes in one JVM
    TokenFile tokens = config.authTokens() == null ? null : readTokens(config); // before anything starts
    if (config.restoreFrom().isPresent()) {
      BackupRestore.seed(config.restoreFrom().get(), config);
    }
    try {
      this.store = SchedulerStore.open(config.dataDir().resolve("state"));
      deleteLeftoverWork(config.dataDir()); // once the store's lock is ours: not another node's backup under way
      this.background = Executors.newSingleThreadScheduledExecutor(daemon("raftcron-background"));
      NodeInfo self =
          NodeInfo.newBuilder()
              .setNodeId(config.nodeId())
              .setRaftAddr(config.raftAddr())
              .setGrpcAddr(config.grpcAddr())
              .build();

      NodeMetrics metrics = NodeMetrics.register(registry, config.perJobMetrics(), store, clock);
      this.leaderExecutor = new LeaderExecutor(daemon("raftcron-leader"), metrics::observeLeaderTask);
      CommitObserver fireCommits = metrics.fireCommits();
      Proposer proposer =
          new Proposer(clock, config.nodeId(), command -> {
            fireCommits.committed(command);
            committed.committed(command);
          });
      this.leadership =
          new Leadership(
              store,
              proposer,
              clock,
              config.leaseDuration(),
              leaderExecutor,
              onFatal,
              new AlertSetup(config.alertRules(), config.alertWebhook().map(AlertWebhook::new), config.nodeId()));
      this.tracer =
          RunTracer.create(
              config.otlpEndpoint(), config.nodeId(), leadership::isLeading, config.slowRunThreshold());
      SchedulerStateMachine stateMachine =
          new SchedulerStateMachine(
              store,
              safeguards(),
              (index, command, result) -> {
                metrics.onApplied(command, result);
                tracer.onApplied(command, result);
                leadership.onApplied(command, result);
                observer.onApplied(index, command, result);
              });
      this.raft =
          RaftNode.start(
              RaftNodeConfig.of(config.raftAddr(), config.peers(), config.dataDir().resolve("raft"))
                  .withElectionTimeoutMs(config.electionTimeoutMs())
                  .withSnapshotIntervalSecs(config.snapshotIntervalSecs()),
              new StateMachineBridge(stateMachine, metrics::observeApply),
              leadership);
      proposer.attach(raft);
      metrics.bindNode(raft, leadership.workers());

      this.forwarder = new Forwarder(config.nodeId(), raft, store, config.tls(), config.nodeToken());
      Gateway gateway = new Gateway(raft, proposer, forwarder);
      List<ServerInterceptor> interceptors =
          new ArrayList<>(List.of(forwarder.interceptor(), new SecretRedaction()));
      if (tokens != null) {
        interceptors.add(new AuthInterceptor(tokens));
      }
      interceptors.add(new BoundedStatusMessages()); // added last: runs first, so it sees every close
      for (BindableService service : List.of(
          new JobService(gateway, store, clock),
          new RunService(gateway, store),
          new AlertService(gateway, store),
          new ClusterService(self, gateway, raft, store, forwarder, proposer, config.dataDir().resolve(BACKUP_WORK),
              background),
          new WorkerService(gateway, leadership, store))) {
        services.add(ServerInterceptors.intercept(service, interceptors));
      }
      NettyServerBuilder builder =
          NettyServerBuilder.forAddress(socketAddress(config.grpcAddr()))
              .maxInboundMessageSize(config.maxInboundMessageBytes());
      if (config.tls() != null) {
        builder = config.tls().secure(builder);
      }
      services.forEach(builder::addService);
      this.grpc = builder.build().start();
      this.registrar = new NodeRegistrar(self, raft, store, proposer, forwarder, background);
      // The HTTP API serves the gRPC server's registered services, so every interceptor must be on
      // the service definitions (ServerInterceptors.intercept), not on the server builder.
      this.http =
          config.httpAddr() == null
              ? null
              : HttpEndpoint.start(socketAddress(config.httpAddr()), grpc.getServices(), raft, registry);
    } catch (IOException | RuntimeException e) {
      close(); // what had started (the raft node, the store's lock, threads) must not outlive the failure
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

  /**
   * The node's gRPC services with its interceptors (authentication, forwarding marks): serve
   * these, not bare services, from any other transport so that the same checks apply.
   */
  public List<ServerServiceDefinition> services() {
    return List.copyOf(services);
  }

  public RaftNode raft() {
    return raft;
  }

  /** This node's metrics (served at /metrics): its own registry, since tests run three nodes in one JVM. */
  public PrometheusRegistry metricsRegistry() {
    return registry;
  }

  public SchedulerStore store() {
    return store;
  }

  public ServerConfig config() {
    return config;
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
    // Null-safe: a constructor that fails part way closes what it had started.
    if (registrar != null) {
      registrar.close();
    }
    if (http != null) {
      http.close();
    }
    if (grpc != null) {
      grpc.shutdownNow();
    }
    if (forwarder != null) {
      forwarder.close();
    }
    if (leadership != null) {
      leadership.close();
    }
    if (raft != null) {
      raft.close();
    }
    if (tracer != null) {
      tracer.close();
    }
    if (leaderExecutor != null) {
      leaderExecutor.shutdownNow();
    }
    if (background != null) {
      background.shutdownNow();
    }
    try {
      if (grpc != null) {
        grpc.awaitTermination(5, TimeUnit.SECONDS);
      }
      if (leaderExecutor != null) {
        leaderExecutor.awaitTermination(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (store != null) {
      store.close();
    }
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

  /**
   * Work folders a killed node left behind: a backup's checkpoint (whose hard links pin SST files
   * RocksDB has compacted away) and a restore's extract. Nothing else uses them.
   */
  static void deleteLeftoverWork(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir)) {
      return;
    }
    org.apache.commons.io.FileUtils.deleteDirectory(dataDir.resolve(BACKUP_WORK).toFile());
    try (var restores = Files.newDirectoryStream(dataDir, BackupRestore.WORK_PREFIX + "*")) {
      for (Path leftover : restores) {
        org.apache.commons.io.FileUtils.deleteDirectory(leftover.toFile());
      }
    }
  }

  private static TokenFile readTokens(ServerConfig config) throws IOException {
    TokenFile tokens = TokenFile.read(config.authTokens());
    if (tokens.authenticate(config.nodeToken()).filter(p -> p.role() == Role.ADMIN).isEmpty()) {
      throw new IllegalArgumentException(
          "this node's own token (--node-token) is not an admin token of " + config.authTokens());
    }
    return tokens;
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
