package io.raftcron.cli;

import io.raftcron.server.RaftcronServer;
import io.raftcron.server.ServerConfig;
import io.raftcron.server.leader.AlertRules;
import io.raftcron.server.tls.TlsFiles;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(
    name = "server",
    description = "Run a scheduler node until SIGTERM or SIGINT. Options not given as flags come from RAFTCRON_*"
        + " environment variables (RAFTCRON_DATA_DIR for --data-dir), then from the --config file.",
    defaultValueProvider = ServerDefaults.class)
final class ServerCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(
      names = ServerDefaults.CONFIG_OPTION,
      paramLabel = "FILE",
      description = "YAML file of option values (keys are option names: node-id, data-dir, peers, ...);"
          + " flags and RAFTCRON_* variables win over it (env RAFTCRON_CONFIG).")
  Path configFile;

  @Option(
      names = "--join",
      description = "Start with no configuration and wait to be added by the leader (raftcron cluster add-node);"
          + " instead of --peers.")
  boolean join;

  @Option(
      names = "--restore",
      paramLabel = "FILE",
      description = "First start of a node of a NEW cluster: bootstrap it from this backup (cluster backup);"
          + " the data dir must be empty. Start every node of the new cluster with the same FILE and --peers.")
  Path restore;

  @Option(names = "--node-id", required = true, paramLabel = "ID", description = "Unique, stable node name (e.g. n1).")
  String nodeId;

  @Option(names = "--data-dir", required = true, paramLabel = "DIR", description = "Raft log, snapshots and state.")
  Path dataDir;

  @Option(names = "--raft-addr", required = true, paramLabel = "IP:PORT", description = "This node's Raft address.")
  String raftAddr;

  @Option(names = "--grpc-addr", required = true, paramLabel = "HOST:PORT", description = "gRPC address for clients and workers.")
  String grpcAddr;

  @Option(
      names = "--peers",
      paramLabel = "IP:PORT[,IP:PORT...]",
      description = "Raft addresses of the initial cluster, this node included (or --join).")
  String peers;

  @Option(
      names = "--election-timeout-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description = "Election timeout (default: ${DEFAULT-VALUE}).")
  int electionTimeoutMs;

  @Option(
      names = "--lease-seconds",
      paramLabel = "S",
      defaultValue = "30",
      description = "How long a worker holds a run before it can be leased again (default: ${DEFAULT-VALUE}).")
  long leaseSeconds;

  @Option(
      names = "--snapshot-interval-seconds",
      paramLabel = "S",
      defaultValue = "300",
      description = "How often the node snapshots its state and compacts its Raft log (default: ${DEFAULT-VALUE}).")
  int snapshotIntervalSecs;

  @Option(
      names = "--http-addr",
      paramLabel = "HOST:PORT",
      description = "Serve the JSON API (/api/v1), the web UI, /healthz, /readyz and /metrics here (default: no HTTP).")
  String httpAddr;

  @Option(
      names = "--per-job-metrics",
      paramLabel = "true|false",
      arity = "1",
      defaultValue = "true",
      description = "Label metrics with the job name; false aggregates them over all jobs, for very many jobs (default: ${DEFAULT-VALUE}).")
  boolean perJobMetrics;

  @Option(
      names = "--alert-webhook",
      paramLabel = "URL",
      description = "POST each alert transition (firing, resolved) as JSON to this http(s) URL; sent by the leader.")
  URI alertWebhook;

  @Option(
      names = "--alert-failures",
      paramLabel = "N",
      defaultValue = "3",
      description = "A job whose newest N finished runs all failed raises a FAILING_JOB alert (default: ${DEFAULT-VALUE}).")
  int alertFailures;

  @Option(
      names = "--otlp-endpoint",
      paramLabel = "URL",
      description = "Export one OpenTelemetry trace per finished run over OTLP/HTTP to this URL (e.g. http://collector:4318/v1/traces).")
  URI otlpEndpoint;

  @Option(
      names = "--slow-run-seconds",
      paramLabel = "S",
      defaultValue = "600",
      description = "Log attempts that ran longer than this as slow, with their trace id (default: ${DEFAULT-VALUE}).")
  long slowRunSeconds;

  @Option(
      names = "--auth-tokens",
      paramLabel = "FILE",
      description = "Require bearer tokens: the file of token hashes, names and roles (see `raftcron auth hash-token`)."
          + " Without it there is no authentication: bind --grpc-addr to loopback only.")
  Path authTokens;

  @Option(
      names = "--node-token",
      paramLabel = "TOKEN",
      description = "With --auth-tokens: this node's own admin token, for its calls to other nodes (env RAFTCRON_NODE_TOKEN).")
  String nodeToken;

  @Option(names = "--tls-cert", paramLabel = "PEM", description = "Serve gRPC over TLS with this certificate chain.")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "PEM", description = "Private key of --tls-cert (PKCS#8 PEM).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "PEM",
      description = "Mutual TLS: every client (CLI, worker, other nodes) must show a certificate signed by this CA.")
  Path tlsClientCa;

  @Option(
      names = "--tls-ca",
      paramLabel = "PEM",
      description = "CA of the other nodes' certificates, for calls forwarded between nodes (default: --tls-client-ca).")
  Path tlsCa;

  @Option(
      names = "--max-message-bytes",
      paramLabel = "BYTES",
      defaultValue = "1048576",
      description = "Largest gRPC request accepted (default: ${DEFAULT-VALUE}).")
  int maxMessageBytes;

  @Override
  public Integer call() throws IOException, InterruptedException {
    RaftcronServer server;
    try {
      server = RaftcronServer.start(config());
    } catch (IllegalArgumentException e) { // a bad option value; --restore onto data or from a bad backup file
      throw new ParameterException(spec.commandLine(), e.getMessage());
    }
    AtomicBoolean signalled = new AtomicBoolean();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      signalled.set(true);
      server.close();
    }, "raftcron-server-shutdown"));
    server.awaitTermination();
    if (!signalled.get()) {
      spec.commandLine().getErr().println("error: server " + nodeId + " stopped");
      return ExitCodes.USER_ERROR;
    }
    return ExitCodes.OK;
  }

  private ServerConfig config() {
    return ServerConfig.builder(nodeId, dataDir, raftAddr, grpcAddr, peerList())
        .electionTimeoutMs(electionTimeoutMs)
        .leaseDuration(Duration.ofSeconds(leaseSeconds))
        .snapshotIntervalSecs(snapshotIntervalSecs)
        .httpAddr(httpAddr)
        .perJobMetrics(perJobMetrics)
        .alertRules(AlertRules.DEFAULT.withFailuresInARow(alertFailures))
        .alertWebhook(alertWebhook)
        .otlpEndpoint(otlpEndpoint)
        .slowRunThreshold(Duration.ofSeconds(slowRunSeconds))
        .authTokens(authTokens)
        .nodeToken(authTokens == null ? null : nodeToken)
        .tls(tls())
        .maxInboundMessageBytes(maxMessageBytes)
        .restoreFrom(restore)
        .build();
  }

  private TlsFiles tls() {
    if (tlsCert == null && tlsKey == null) {
      if (tlsClientCa != null || tlsCa != null) {
        throw new IllegalArgumentException("--tls-client-ca and --tls-ca need --tls-cert and --tls-key");
      }
      return null;
    }
    return new TlsFiles(tlsCert, tlsKey, tlsClientCa, tlsCa);
  }

  private List<String> peerList() {
    if (join == (peers != null)) {
      throw new ParameterException(spec.commandLine(),
          "give either --peers (a node of the initial cluster) or --join (a node the leader adds later)");
    }
    if (join) {
      return List.of();
    }
    List<String> list = Arrays.stream(peers.split(",")).map(String::trim).filter(peer -> !peer.isEmpty()).toList();
    if (list.isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--peers lists no address");
    }
    return list;
  }
}
