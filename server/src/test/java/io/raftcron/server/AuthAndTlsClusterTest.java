package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.raftcron.client.ClientSecurity;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.client.worker.Outcome;
import io.raftcron.client.worker.Worker;
import io.raftcron.proto.Completion;
import io.raftcron.proto.CreateJobRequest;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.server.auth.Role;
import io.raftcron.server.auth.TokenFile;
import io.raftcron.server.tls.TlsFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real three-node cluster with bearer tokens and mutual TLS on: who may call what, that writes
 * forwarded between nodes keep the caller's identity over TLS, and that TLS is really required.
 */
class AuthAndTlsClusterTest {
  private static final String NODE = "node-token-0123456789";
  private static final String OPERATOR = "operator-token-0123456789";
  private static final String VIEWER = "viewer-token-0123456789";
  private static final String WORKER_1 = "worker-1-token-0123456789";
  private static final String WORKER_2 = "worker-2-token-0123456789";

  @TempDir static Path dir;
  private static TestCertificates certs;
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    Path certDir = Files.createDirectories(dir.resolve("certs"));
    certs = TestCertificates.create(certDir);
    Path tokens = dir.resolve("tokens");
    Files.write(tokens, List.of(
        "# test tokens",
        TokenFile.line(NODE, "nodes", Role.ADMIN, null),
        TokenFile.line(OPERATOR, "olivia", Role.OPERATOR, null),
        TokenFile.line(VIEWER, "victor", Role.VIEWER, null),
        TokenFile.line(WORKER_1, "w1", Role.WORKER, "w1"),
        TokenFile.line(WORKER_2, "w2", Role.WORKER, "w2")));
    cluster = new LocalCluster(dir.resolve("nodes"), 3, Duration.ofSeconds(10), b -> b
        .authTokens(tokens)
        .nodeToken(NODE)
        .tls(new TlsFiles(certs.nodeCert(), certs.nodeKey(), certs.ca(), null)));
    try (RaftcronClient viewer = client(VIEWER)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> cluster.leader().isPresent() && viewer.clusterStatus().getNodesCount() == 3
          && viewer.clusterStatus().getNodesList().stream().allMatch(n -> n.getError().isEmpty()));
    }
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static ClientSecurity tls(String token) {
    return new ClientSecurity(token, certs.ca(), certs.clientCert(), certs.clientKey());
  }

  private static RaftcronClient client(String token) {
    return RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20), tls(token));
  }

  private static RaftcronClient clientOf(String endpoint, String token) {
    return RaftcronClient.connect(List.of(endpoint), Duration.ofSeconds(20), tls(token));
  }

  private static JobSpec job(String name) {
    return JobSpec.newBuilder()
        .setName(name)
        .setSchedule("@every 1h")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
        .build();
  }

  @Test
  void aCallWithoutATokenOrWithAnUnknownOneIsUnauthenticated() {
    try (RaftcronClient none = client(null); RaftcronClient wrong = client("not-a-token")) {
      assertThatThrownBy(none::listJobs)
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED))
          .hasMessageContaining("requires a bearer token");
      assertThatThrownBy(wrong::listJobs)
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAUTHENTICATED))
          .hasMessageContaining("not valid on this cluster");
    }
  }

  @Test
  void aViewerReadsButMayNotWriteAndNothingChanges() {
    try (RaftcronClient viewer = client(VIEWER)) {
      int before = viewer.listJobs().size();
      assertThatThrownBy(() -> viewer.createJob(job("viewer-made")))
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED))
          .hasMessageContaining("victor (viewer) may not call raftcron.v1.JobService/CreateJob: it needs role operator");
      assertThat(viewer.listJobs()).hasSize(before);
    }
  }

  @Test
  void anOperatorWritesThroughAFollowerSoTheForwardedCallKeepsItsIdentityOverTls() {
    String follower = cluster.followerGrpcAddr();
    try (RaftcronClient operator = clientOf(follower, OPERATOR); RaftcronClient viewer = clientOf(follower, VIEWER)) {
      assertThat(operator.createJob(job("via-follower")).getSpec().getName()).isEqualTo("via-follower");
      // The follower forwards with the caller's token, not its own admin token: a viewer stays a viewer.
      assertThatThrownBy(() -> viewer.deleteJob("via-follower"))
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED));
      assertThat(viewer.getJob("via-follower").getSpec().getName()).isEqualTo("via-follower");
    }
  }

  @Test
  void aForgedForwardedByHeaderGrantsNothing() {
    assertThatThrownBy(() -> createMarkedAs(cluster.leaderGrpcAddr(), null, "n2", "forged"))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
    // A mark naming no registered node is ignored: the follower still forwards the call.
    assertThat(createMarkedAs(cluster.followerGrpcAddr(), OPERATOR, "intruder", "marked").getSpec().getName())
        .isEqualTo("marked");
  }

  /** CreateJob sent straight to {@code grpcAddr} with a {@code raftcron-forwarded-by} mark, as anyone could send it. */
  private static Job createMarkedAs(String grpcAddr, String token, String mark, String name) {
    ManagedChannel channel = tls(token).channel("127.0.0.1", port(grpcAddr));
    try {
      Metadata headers = new Metadata();
      headers.put(Metadata.Key.of("raftcron-forwarded-by", Metadata.ASCII_STRING_MARSHALLER), mark);
      return JobServiceGrpc.newBlockingStub(channel)
          .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
          .createJob(CreateJobRequest.newBuilder().setSpec(job(name)).build());
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void aWorkerTokenActsOnlyAsItsOwnWorkerAndOnlyOnItsOwnLeases() {
    try (RaftcronClient operator = client(OPERATOR); RaftcronClient w1 = client(WORKER_1);
        RaftcronClient w2 = client(WORKER_2)) {
      assertThatThrownBy(() -> w2.pollRuns("w1", 1, Duration.ZERO))
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED))
          .hasMessageContaining("w2 (worker w2) may not act as worker 'w1'");
      assertThatThrownBy(() -> operator.pollRuns("w1", 1, Duration.ZERO))
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED));

      operator.createJob(job("leased"));
      Run run = operator.triggerJob("leased", "r1");
      List<Run> leased = await().atMost(Duration.ofSeconds(30)).until(
          () -> w1.pollRuns("w1", 1, Duration.ofSeconds(2)).stream().filter(r -> r.getRunId().equals(run.getRunId())).toList(),
          polled -> !polled.isEmpty());
      assertThat(leased).as("w1 got the triggered run").hasSize(1);
      long token = leased.get(0).getFencingToken();

      Completion stolen = Completion.newBuilder().setRunId(run.getRunId()).setFencingToken(token)
          .setWorker("w2").setSucceeded(true).build();
      assertThatThrownBy(() -> w2.completeRun(stolen))
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.PERMISSION_DENIED))
          .hasMessageContaining("its lease is held by another worker");
      assertThat(operator.getRun(run.getRunId()).getState()).isEqualTo(RunState.LEASED);

      assertThat(w1.completeRun(stolen.toBuilder().setWorker("w1").build()).getAccepted()).isTrue();
      assertThat(operator.getRun(run.getRunId()).getState()).isEqualTo(RunState.SUCCEEDED);
    }
  }

  @Test
  void theWorkerSdkRunsJobsWithItsToken() throws Exception {
    try (RaftcronClient operator = client(OPERATOR);
        Worker worker = Worker.builder().endpoints(cluster.grpcAddrs()).workerId("w1").security(tls(WORKER_1))
            .pollWait(Duration.ofSeconds(1)).handler(run -> Outcome.success()).build()) {
      operator.createJob(job("sdk"));
      Run run = operator.triggerJob("sdk", "");
      worker.start();
      await().atMost(Duration.ofSeconds(30))
          .until(() -> operator.getRun(run.getRunId()).getState() == RunState.SUCCEEDED);
    }
  }

  @Test
  void tlsIsRequiredAndMutual() {
    ClientSecurity plaintext = ClientSecurity.token(VIEWER);
    ClientSecurity noClientCert = new ClientSecurity(VIEWER, certs.ca(), null, null);
    ClientSecurity wrongCa = new ClientSecurity(VIEWER, certs.otherCa(), certs.clientCert(), certs.clientKey());
    for (ClientSecurity security : List.of(plaintext, noClientCert, wrongCa)) {
      try (RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(2), security)) {
        assertThatThrownBy(client::listJobs).as(security.toString())
            .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
      }
    }
  }

  private static int port(String hostPort) {
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }
}
