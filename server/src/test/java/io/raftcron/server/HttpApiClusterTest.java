package io.raftcron.server;

import static io.raftcron.server.HttpTestClient.assertCreated;
import static io.raftcron.server.HttpTestClient.createJob;
import static io.raftcron.server.HttpTestClient.get;
import static io.raftcron.server.HttpTestClient.getRetrying;
import static io.raftcron.server.HttpTestClient.parse;
import static io.raftcron.server.HttpTestClient.postRetrying;
import static io.raftcron.server.HttpTestClient.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Struct;
import io.raftcron.proto.Job;
import io.raftcron.proto.ListJobsResponse;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.Run;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP endpoint of a real three-node cluster: JSON API, errors, bad input, health, metrics. */
class HttpApiClusterTest {
  @TempDir static Path dir;
  private static LocalCluster cluster;

  @BeforeAll
  static void startCluster() throws IOException {
    cluster = new LocalCluster(dir, 3, Duration.ofSeconds(5));
    HttpTestClient.awaitLeaderKnownEverywhere(cluster);
  }

  @AfterAll
  static void stopCluster() {
    cluster.close();
  }

  @Test
  void everyNodeIsAliveAndReadyOnceTheClusterHasALeader() {
    for (String url : cluster.httpUrls()) {
      HttpResponse<String> health = get(url + "/healthz");
      assertThat(health.statusCode()).isEqualTo(200);
      assertThat(health.body()).isEqualTo("ok\n");
      await().atMost(Duration.ofSeconds(10)).until(() -> get(url + "/readyz").statusCode() == 200);
      assertThat(get(url + "/readyz").body()).startsWith("ready: ").contains("leader 127.0.0.1:");
    }
  }

  @Test
  void metricsAreThePrometheusTextFormatOfEachNodesOwnRegistry() {
    for (String url : cluster.httpUrls()) {
      get(url + "/healthz");
      HttpResponse<String> metrics = get(url + "/metrics");
      assertThat(metrics.statusCode()).isEqualTo(200);
      assertThat(metrics.headers().firstValue("content-type"))
          .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
      assertThat(metrics.body())
          .contains("# TYPE jvm_memory_used_bytes gauge")
          .contains("# TYPE raftcron_http_requests_total counter")
          .containsPattern("raftcron_http_requests_total\\{code=\"200\",route=\"healthz\"} [1-9]");
      HttpResponse<String> named = get(url + "/metrics?name%5B%5D=raftcron_raft_term&name%5B%5D=raftcron_http_requests_total");
      assertThat(named.statusCode()).isEqualTo(200);
      assertThat(named.body())
          .contains("# TYPE raftcron_raft_term gauge")
          .contains("# TYPE raftcron_http_requests_total counter")
          .doesNotContain("jvm_memory_used_bytes")
          .doesNotContain("raftcron_queue_depth");
    }
  }

  @Test
  void aJobCreatedThroughAFollowerIsReadFromEveryNode() throws Exception {
    String follower = followerUrl();
    HttpResponse<String> created = postRetrying(follower + "/api/v1/JobService/CreateJob", createJob("http-created", "@every 1h"));
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
    Job job = parse(created.body(), Job.getDefaultInstance());
    assertThat(job.getSpec().getName()).isEqualTo("http-created");
    assertThat(job.getVersion()).isPositive();
    assertThat(job.hasNextSlot()).isTrue();

    for (String url : cluster.httpUrls()) {
      HttpResponse<String> got = getRetrying(url + "/api/v1/jobs/http-created");
      assertThat(got.statusCode()).as(got.body()).isEqualTo(200);
      assertThat(parse(got.body(), Job.getDefaultInstance()).getVersion()).isEqualTo(job.getVersion());
      assertThat(parse(getRetrying(url + "/api/v1/jobs").body(), ListJobsResponse.getDefaultInstance()).getJobsList())
          .extracting(j -> j.getSpec().getName())
          .contains("http-created");
    }
    HttpResponse<String> viaMethod = postRetrying(follower + "/api/v1/JobService/GetJob", "{\"name\":\"http-created\"}");
    assertThat(parse(viaMethod.body(), Job.getDefaultInstance())).isEqualTo(job);
  }

  @Test
  void runsNameTheNodeThatFiredThem() throws Exception {
    String url = cluster.httpUrls().get(2);
    assertCreated(url + "/api/v1/JobService/CreateJob", createJob("http-runs", "* * * * * *"));
    List<String> nodeIds = List.of("n1", "n2", "n3");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              HttpResponse<String> runs = getRetrying(url + "/api/v1/jobs/http-runs/runs?limit=5");
              assertThat(runs.statusCode()).as(runs.body()).isEqualTo(200);
              List<Run> list = parse(runs.body(), ListRunsResponse.getDefaultInstance()).getRunsList();
              assertThat(list).hasSizeGreaterThanOrEqualTo(2).hasSizeLessThanOrEqualTo(5);
              assertThat(list).allSatisfy(r -> {
                assertThat(r.getJob()).isEqualTo("http-runs");
                assertThat(r.getFiredBy()).isIn(nodeIds);
                assertThat(r.getTerm()).isPositive();
                assertThat(r.getFireIndex()).isPositive();
              });
            });
    ClusterStatus status = parse(getRetrying(url + "/api/v1/cluster").body(), ClusterStatus.getDefaultInstance());
    assertThat(status.getLeaderId()).isIn(nodeIds);
    assertThat(status.getNodesList()).extracting(n -> n.getNodeId()).containsExactlyElementsOf(nodeIds);
    assertThat(postRetrying(url + "/api/v1/JobService/DeleteJob", "{\"name\":\"http-runs\"}").statusCode()).isEqualTo(200);
  }

  @Test
  void grpcStatusesBecomeHttpCodesWithAJsonError() throws Exception {
    String url = cluster.httpUrls().get(1);
    assertError(getRetrying(url + "/api/v1/jobs/no-such-job"), 404, "NOT_FOUND", "no-such-job");

    assertCreated(url + "/api/v1/JobService/CreateJob", createJob("http-dup", "@every 1h"));
    assertError(postRetrying(url + "/api/v1/JobService/CreateJob", createJob("http-dup", "@every 1h")), 409, "ALREADY_EXISTS", "http-dup");
    assertError(
        postRetrying(url + "/api/v1/JobService/UpdateJob", "{\"spec\":" + spec("http-dup", "@every 2h", "true") + ",\"expectedVersion\":\"1\"}"),
        409,
        "FAILED_PRECONDITION",
        "version");
    assertError(postRetrying(url + "/api/v1/JobService/CreateJob", createJob("http-bad", "61 * * * *")), 400, "INVALID_ARGUMENT", "61");
    assertThat(getRetrying(url + "/api/v1/jobs/http-bad").statusCode()).isEqualTo(404);
  }

  @Test
  void badRequestsGetClearErrorsAndChangeNothing() throws Exception {
    String url = cluster.httpUrls().get(0);
    assertError(postRetrying(url + "/api/v1/JobService/CreateJob", "{\"spec\": {"), 400, "INVALID_ARGUMENT", "raftcron.v1.CreateJobRequest");
    assertError(postRetrying(url + "/api/v1/JobService/CreateJob", "{\"sepc\": {}}"), 400, "INVALID_ARGUMENT", "sepc");
    assertError(postRetrying(url + "/api/v1/RunService/ListRuns", "{\"limit\": \"many\"}"), 400, "INVALID_ARGUMENT", "Not an int32 value: \"many\"");
    assertError(postRetrying(url + "/api/v1/JobService/Explode", "{}"), 404, "NOT_FOUND", "JobService/Explode");
    assertError(getRetrying(url + "/api/v1/JobService/ListJobs"), 405, "METHOD_NOT_ALLOWED", "GET");
    assertError(getRetrying(url + "/api/v1/nothing/here/at/all"), 404, "NOT_FOUND", "/api/v1/nothing");
    assertError(get(url + "/ui/../../etc/passwd"), 404, "NOT_FOUND", "UI file");

    String huge = createJob("http-huge", "@every 1h").replace("\"true\"", "\"" + "x".repeat(2 * 1024 * 1024) + "\"");
    assertError(postRetrying(url + "/api/v1/JobService/CreateJob", huge), 413, "PAYLOAD_TOO_LARGE", "over 1 MiB");

    assertThat(raw(url, "this is not HTTP at all\r\n\r\n")).startsWith("HTTP/1.1 400");
    // A bad percent-escape (java.net.URI refuses to build one, so it goes raw).
    assertThat(raw(url, "GET /api/v1/jobs/%zz HTTP/1.1\r\nHost: x\r\n\r\n")).startsWith("HTTP/1.1 400");
    assertThat(raw(url, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(64 * 1024) + "\r\n\r\n")).startsWith("HTTP/1.1 431");

    // What a page on another site can send without a CORS preflight: refused, nothing created.
    String plain = createJob("http-plain", "@every 1h");
    assertThat(raw(url, "POST /api/v1/JobService/CreateJob HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
        + "Content-Length: " + plain.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + plain)).startsWith("HTTP/1.1 415");

    assertThat(get(url + "/healthz").statusCode()).isEqualTo(200);
    assertThat(getRetrying(url + "/api/v1/jobs/http-huge").statusCode()).isEqualTo(404);
    assertThat(getRetrying(url + "/api/v1/jobs/http-plain").statusCode()).isEqualTo(404);
  }

  @Test
  void pipelinedRequestsAreAnsweredInTheOrderTheyCame() throws Exception {
    URI uri = URI.create(cluster.httpUrls().get(0));
    // Runs other tests left queued are leased at once: take them first, so that the next poll waits.
    postRetrying(uri + "/api/v1/WorkerService/PollRuns", "{\"workerId\": \"pipeline\", \"maxRuns\": 100}");
    String poll = "{\"workerId\": \"pipeline\", \"wait\": \"1s\"}";
    String requests = "POST /api/v1/WorkerService/PollRuns HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: " + poll.length() + "\r\n\r\n" + poll
        + "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(requests.getBytes(StandardCharsets.US_ASCII));
      String answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

      // The poll waits a second for runs; the health check, ready at once, still comes second.
      assertThat(answers.indexOf("HTTP/1.1 ")).isZero();
      assertThat(answers).contains("\"runs\"");
      assertThat(answers.indexOf("\"runs\"")).isLessThan(answers.indexOf("\r\n\r\nok\n"));
    }
  }

  @Test
  void theMethodIndexListsEveryRegisteredService() {
    HttpResponse<String> index = get(cluster.httpUrls().get(0) + "/api/v1");
    assertThat(index.statusCode()).isEqualTo(200);
    assertThat(index.body())
        .contains("\"JobService/CreateJob\"", "\"JobService/ExplainSlot\"", "\"RunService/ListRuns\"")
        .contains("\"ClusterService/GetStatus\"", "\"WorkerService/PollRuns\"");
  }

  private static void assertError(HttpResponse<String> response, int status, String code, String messagePart)
      throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/json; charset=utf-8");
    Struct error = parse(response.body(), Struct.getDefaultInstance());
    assertThat(error.getFieldsOrThrow("code").getStringValue()).isEqualTo(code);
    assertThat(error.getFieldsOrThrow("message").getStringValue()).contains(messagePart);
  }

  private static String followerUrl() {
    RaftcronServer leader = cluster.leader().orElseThrow();
    int i = cluster.running().indexOf(leader);
    return cluster.httpUrls().get((i + 1) % 3);
  }

  /** Sends bytes that are no proper HTTP request and returns what the node answers. */
  private static String raw(String url, String bytes) throws IOException {
    URI uri = URI.create(url);
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(bytes.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(12), StandardCharsets.US_ASCII);
    }
  }
}
