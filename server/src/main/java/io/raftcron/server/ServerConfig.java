package io.raftcron.server;

import io.raftcron.server.leader.AlertRules;
import io.raftcron.server.leader.AlertWebhook;
import io.raftcron.server.tls.TlsFiles;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How one scheduler node is started. Required: node id, data dir, Raft and gRPC addresses and
 * the initial peers; everything else has a default (see {@link Builder}).
 */
public final class ServerConfig {
  public static final int DEFAULT_ELECTION_TIMEOUT_MS = 1000;
  public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
  public static final int DEFAULT_SNAPSHOT_INTERVAL_SECS = 300;
  public static final Duration DEFAULT_SLOW_RUN_THRESHOLD = Duration.ofMinutes(10);
  /** 1 MiB: a job spec's largest fields (command, env, payload) fit many times over. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 1024 * 1024;

  private final String nodeId;
  private final Path dataDir;
  private final String raftAddr;
  private final String grpcAddr;
  private final List<String> peers;
  private final int electionTimeoutMs;
  private final Duration leaseDuration;
  private final int snapshotIntervalSecs;
  private final String httpAddr;
  private final boolean perJobMetrics;
  private final AlertRules alertRules;
  private final URI alertWebhook;
  private final URI otlpEndpoint;
  private final Duration slowRunThreshold;
  private final Path authTokens;
  private final String nodeToken;
  private final TlsFiles tls;
  private final int maxInboundMessageBytes;
  private final Path restoreFrom;

  private ServerConfig(Builder b) {
    this.nodeId = b.nodeId;
    this.dataDir = Objects.requireNonNull(b.dataDir, "--data-dir is required");
    this.raftAddr = Objects.requireNonNull(b.raftAddr, "--raft-addr is required");
    this.grpcAddr = Objects.requireNonNull(b.grpcAddr, "--grpc-addr is required");
    this.peers = List.copyOf(b.peers);
    this.electionTimeoutMs = b.electionTimeoutMs;
    this.leaseDuration = b.leaseDuration;
    this.snapshotIntervalSecs = b.snapshotIntervalSecs;
    this.httpAddr = b.httpAddr;
    this.perJobMetrics = b.perJobMetrics;
    this.alertRules = b.alertRules;
    this.alertWebhook = b.alertWebhook;
    this.otlpEndpoint = b.otlpEndpoint;
    this.slowRunThreshold = b.slowRunThreshold;
    this.authTokens = b.authTokens;
    this.nodeToken = b.nodeToken;
    this.tls = b.tls;
    this.maxInboundMessageBytes = b.maxInboundMessageBytes;
    this.restoreFrom = b.restoreFrom;
    if (authTokens != null && nodeToken == null) {
      throw new IllegalArgumentException("--auth-tokens needs this node's own admin token too (--node-token or"
          + " RAFTCRON_NODE_TOKEN): nodes call each other to register and report status");
    }
    if (maxInboundMessageBytes < 64 * 1024) {
      throw new IllegalArgumentException("the gRPC message size limit must be at least 64 KiB");
    }
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("--node-id is required");
    }
    if (!peers.isEmpty() && !peers.contains(raftAddr)) {
      throw new IllegalArgumentException(
          "--peers " + String.join(",", peers) + " must include this node's --raft-addr " + raftAddr);
    }
    if (restoreFrom != null && peers.isEmpty()) {
      throw new IllegalArgumentException("--restore needs the new cluster's --peers (it cannot be used with --join)");
    }
    if (electionTimeoutMs < 100) {
      throw new IllegalArgumentException("the election timeout must be at least 100 ms");
    }
    if (leaseDuration.isNegative() || leaseDuration.isZero()) {
      throw new IllegalArgumentException("the lease duration must be positive");
    }
    if (alertWebhook != null) {
      AlertWebhook.check(alertWebhook);
    }
    if (otlpEndpoint != null && !"http".equals(otlpEndpoint.getScheme()) && !"https".equals(otlpEndpoint.getScheme())) {
      throw new IllegalArgumentException("--otlp-endpoint must be an http or https URL, not '" + otlpEndpoint + "'");
    }
    if (slowRunThreshold.isNegative() || slowRunThreshold.isZero()) {
      throw new IllegalArgumentException("the slow-run threshold must be positive");
    }
    if (snapshotIntervalSecs < 1) {
      throw new IllegalArgumentException("the snapshot interval must be at least 1 second");
    }
  }

  /** A builder with the required settings; the rest keep their defaults unless set. */
  public static Builder builder(String nodeId, Path dataDir, String raftAddr, String grpcAddr, List<String> peers) {
    return new Builder(nodeId, dataDir, raftAddr, grpcAddr, peers);
  }

  /** A stable, unique name for the node (shown as "fired by"). */
  public String nodeId() {
    return nodeId;
  }

  /** Where the Raft log, its snapshots and the state store live. */
  public Path dataDir() {
    return dataDir;
  }

  /** ip:port of the Raft (Bolt) server; it must be a concrete, routable address. */
  public String raftAddr() {
    return raftAddr;
  }

  /** host:port of the gRPC server for clients and workers. */
  public String grpcAddr() {
    return grpcAddr;
  }

  /**
   * The Raft addresses of the initial cluster, this node included; empty for a node that joins a running cluster
   * (it waits to be added by the leader, {@code raftcron cluster add-node}). Used only on a node's first start.
   */
  public List<String> peers() {
    return peers;
  }

  /** A follower that hears no leader for this long starts an election. */
  public int electionTimeoutMs() {
    return electionTimeoutMs;
  }

  /** How long a worker holds a run before it is leased again. */
  public Duration leaseDuration() {
    return leaseDuration;
  }

  /** How often the node snapshots its state and lets the Raft log before the snapshot go. */
  public int snapshotIntervalSecs() {
    return snapshotIntervalSecs;
  }

  /** host:port of the HTTP endpoint (JSON API, UI, health, metrics); null: no HTTP endpoint. */
  public String httpAddr() {
    return httpAddr;
  }

  /** Whether metrics carry a {@code job} label (off: per-job series aggregate over all jobs). */
  public boolean perJobMetrics() {
    return perJobMetrics;
  }

  /** Thresholds of the built-in alerts. */
  public AlertRules alertRules() {
    return alertRules;
  }

  /** Where the leader posts alert transitions, if anywhere. */
  public Optional<URI> alertWebhook() {
    return Optional.ofNullable(alertWebhook);
  }

  /** Where finished runs' traces go (OTLP over HTTP), if anywhere. */
  public Optional<URI> otlpEndpoint() {
    return Optional.ofNullable(otlpEndpoint);
  }

  /** An attempt that ran longer is logged, with its trace id, as slow. */
  public Duration slowRunThreshold() {
    return slowRunThreshold;
  }

  /** The bearer-token file ({@code --auth-tokens}); null: authentication is off. */
  public Path authTokens() {
    return authTokens;
  }

  /** This node's own token for calls it makes to other nodes; null when authentication is off. */
  public String nodeToken() {
    return nodeToken;
  }

  /** TLS for the gRPC port and for calls to other nodes; null: plaintext. */
  public TlsFiles tls() {
    return tls;
  }

  /** The largest gRPC request a node reads; larger ones fail with RESOURCE_EXHAUSTED. */
  public int maxInboundMessageBytes() {
    return maxInboundMessageBytes;
  }

  /** A backup to bootstrap this node of a new cluster from, on its first start (see BackupRestore). */
  public Optional<Path> restoreFrom() {
    return Optional.ofNullable(restoreFrom);
  }

  /** Collects settings; {@link #build()} checks them. */
  public static final class Builder {
    private final String nodeId;
    private final Path dataDir;
    private final String raftAddr;
    private final String grpcAddr;
    private final List<String> peers;
    private int electionTimeoutMs = DEFAULT_ELECTION_TIMEOUT_MS;
    private Duration leaseDuration = DEFAULT_LEASE;
    private int snapshotIntervalSecs = DEFAULT_SNAPSHOT_INTERVAL_SECS;
    private String httpAddr;
    private boolean perJobMetrics = true;
    private AlertRules alertRules = AlertRules.DEFAULT;
    private URI alertWebhook;
    private URI otlpEndpoint;
    private Duration slowRunThreshold = DEFAULT_SLOW_RUN_THRESHOLD;
    private Path authTokens;
    private String nodeToken;
    private TlsFiles tls;
    private int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
    private Path restoreFrom;

    private Builder(String nodeId, Path dataDir, String raftAddr, String grpcAddr, List<String> peers) {
      this.nodeId = nodeId;
      this.dataDir = dataDir;
      this.raftAddr = raftAddr;
      this.grpcAddr = grpcAddr;
      this.peers = List.copyOf(peers);
    }

    public Builder electionTimeoutMs(int electionTimeoutMs) {
      this.electionTimeoutMs = electionTimeoutMs;
      return this;
    }

    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = Objects.requireNonNull(leaseDuration);
      return this;
    }

    public Builder snapshotIntervalSecs(int snapshotIntervalSecs) {
      this.snapshotIntervalSecs = snapshotIntervalSecs;
      return this;
    }

    public Builder httpAddr(String httpAddr) {
      this.httpAddr = httpAddr;
      return this;
    }

    public Builder perJobMetrics(boolean perJobMetrics) {
      this.perJobMetrics = perJobMetrics;
      return this;
    }

    public Builder alertRules(AlertRules alertRules) {
      this.alertRules = Objects.requireNonNull(alertRules);
      return this;
    }

    /** null: no webhook. */
    public Builder alertWebhook(URI alertWebhook) {
      this.alertWebhook = alertWebhook;
      return this;
    }

    /** null: no tracing export. */
    public Builder otlpEndpoint(URI otlpEndpoint) {
      this.otlpEndpoint = otlpEndpoint;
      return this;
    }

    public Builder slowRunThreshold(Duration slowRunThreshold) {
      this.slowRunThreshold = Objects.requireNonNull(slowRunThreshold);
      return this;
    }

    public Builder authTokens(Path authTokens) {
      this.authTokens = authTokens;
      return this;
    }

    public Builder nodeToken(String nodeToken) {
      this.nodeToken = nodeToken;
      return this;
    }

    public Builder tls(TlsFiles tls) {
      this.tls = tls;
      return this;
    }

    public Builder maxInboundMessageBytes(int maxInboundMessageBytes) {
      this.maxInboundMessageBytes = maxInboundMessageBytes;
      return this;
    }

    public Builder restoreFrom(Path backup) {
      this.restoreFrom = backup;
      return this;
    }

    public ServerConfig build() {
      return new ServerConfig(this);
    }
  }
}
