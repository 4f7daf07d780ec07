package io.raftcron.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.CreateJobRequest;
import io.raftcron.proto.GetJobRequest;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.Run;
import io.raftcron.proto.TriggerJobRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RaftcronClientTest {
  private final List<Server> servers = new ArrayList<>();

  @AfterEach
  void stopServers() throws InterruptedException {
    for (Server server : servers) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void parsesCommaSeparatedEndpoints() {
    assertThat(RaftcronClient.parseEndpoints("127.0.0.1:8001, 127.0.0.1:8002,,localhost:8003 "))
        .containsExactly("127.0.0.1:8001", "127.0.0.1:8002", "localhost:8003");
    assertThat(RaftcronClient.parseEndpoints("[::1]:8001")).containsExactly("[::1]:8001");
  }

  @Test
  void rejectsMalformedEndpoints() {
    for (String bad : List.of("", " , ", "127.0.0.1", "127.0.0.1:", ":8001", "host:http", "host:70000")) {
      assertThatThrownBy(() -> RaftcronClient.parseEndpoints(bad))
          .as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void failsOverFromDownAndUnavailableNodesToOneThatAnswers() throws IOException {
    FakeJobService refusing = new FakeJobService(Status.UNAVAILABLE.withDescription("no leader"));
    FakeJobService healthy = new FakeJobService(null);
    List<String> endpoints = List.of(deadEndpoint(), serve(refusing), serve(healthy));

    try (RaftcronClient client = RaftcronClient.connect(endpoints, Duration.ofSeconds(10))) {
      Job job = client.createJob(JobSpec.newBuilder().setName("backup").build());

      assertThat(job.getSpec().getName()).isEqualTo("backup");
      assertThat(refusing.calls).hasValue(1);
      assertThat(healthy.calls).hasValue(1);

      // The client stays on the endpoint that answered.
      client.createJob(JobSpec.newBuilder().setName("report").build());
      assertThat(refusing.calls).hasValue(1);
      assertThat(healthy.calls).hasValue(2);
    }
  }

  @Test
  void throwsOtherStatusesAtOnceWithTheServersMessage() throws IOException {
    FakeJobService healthy = new FakeJobService(null);
    FakeJobService other = new FakeJobService(null);
    try (RaftcronClient client = RaftcronClient.connect(List.of(serve(healthy), serve(other)))) {
      assertThatThrownBy(() -> client.getJob("missing"))
          .isInstanceOfSatisfying(RaftcronException.class, e -> {
            assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
            assertThat(e.getMessage()).isEqualTo("job missing not found");
          });
      assertThat(healthy.calls).hasValue(1);
      assertThat(other.calls).hasValue(0);
    }
  }

  @Test
  void aNodeThatTakesCallsButNeverAnswersIsLeftForTheNextCall() throws IOException {
    FakeJobService hung = new FakeJobService(null);
    hung.answers = false;
    FakeJobService healthy = new FakeJobService(null);
    try (RaftcronClient client = RaftcronClient.connect(List.of(serve(hung), serve(healthy)), Duration.ofMillis(500))) {
      assertThatThrownBy(() -> client.createJob(JobSpec.newBuilder().setName("backup").build()))
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

      // Not pinned to it: a retry (a worker's next heartbeat, poll or report) goes to another node.
      assertThat(client.createJob(JobSpec.newBuilder().setName("backup").build()).getSpec().getName()).isEqualTo("backup");
      assertThat(hung.calls).hasValue(1);
      assertThat(healthy.calls).hasValue(1);
    }
  }

  @Test
  void givesUpAsUnavailableAtTheDeadline() throws IOException {
    List<String> endpoints = List.of(deadEndpoint(), deadEndpoint());
    try (RaftcronClient client = RaftcronClient.connect(endpoints, Duration.ofMillis(700))) {
      long start = System.nanoTime();
      assertThatThrownBy(client::listJobs)
          .isInstanceOfSatisfying(RaftcronException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.UNAVAILABLE));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(500), Duration.ofSeconds(5));
    }
  }

  @Test
  void aTriggerWithoutRequestIdIsRetriedUnderOneIdSoThatItCannotFireTwice() throws IOException {
    FakeJobService unsure = new FakeJobService(Status.UNAVAILABLE.withDescription("the write may or may not have been committed"));
    FakeJobService healthy = new FakeJobService(null);
    try (RaftcronClient client = RaftcronClient.connect(List.of(serve(unsure), serve(healthy)), Duration.ofSeconds(10))) {
      client.triggerJob("backup", "");
      client.triggerJob("backup", "");
      client.triggerJob("backup", "deploy-7");
    }
    String first = unsure.requestIds.get(0);
    assertThat(first).isNotEmpty();
    assertThat(healthy.requestIds).hasSize(3);
    assertThat(healthy.requestIds.get(0)).isEqualTo(first);
    assertThat(healthy.requestIds.get(1)).isNotEmpty().isNotEqualTo(first);
    assertThat(healthy.requestIds.get(2)).isEqualTo("deploy-7");
  }

  private String serve(FakeJobService service) throws IOException {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service).build().start();
    servers.add(server);
    return "127.0.0.1:" + server.getPort();
  }

  /** A loopback port nothing listens on. */
  private static String deadEndpoint() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  /** Answers every call, or fails every call with {@code failure} when that is set. */
  private static final class FakeJobService extends JobServiceGrpc.JobServiceImplBase {
    final AtomicInteger calls = new AtomicInteger();
    final List<String> requestIds = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Status failure;
    /** False: takes calls and never answers, as a node stopped with SIGSTOP. */
    boolean answers = true;

    FakeJobService(Status failure) {
      this.failure = failure;
    }

    @Override
    public void createJob(CreateJobRequest request, StreamObserver<Job> response) {
      calls.incrementAndGet();
      if (!answers) {
        return;
      }
      if (failure != null) {
        response.onError(failure.asRuntimeException());
        return;
      }
      response.onNext(Job.newBuilder().setSpec(request.getSpec()).setVersion(7).build());
      response.onCompleted();
    }

    @Override
    public void triggerJob(TriggerJobRequest request, StreamObserver<Run> response) {
      calls.incrementAndGet();
      requestIds.add(request.getRequestId());
      if (failure != null) {
        response.onError(failure.asRuntimeException());
        return;
      }
      response.onNext(Run.newBuilder().setRunId(request.getName() + "~m-" + request.getRequestId()).build());
      response.onCompleted();
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> response) {
      calls.incrementAndGet();
      response.onError(Status.NOT_FOUND.withDescription("job " + request.getName() + " not found").asRuntimeException());
    }
  }
}
