package io.raftcron.client.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.CompleteRunRequest;
import io.raftcron.proto.CompleteRunResponse;
import io.raftcron.proto.CompleteRunsRequest;
import io.raftcron.proto.CompleteRunsResponse;
import io.raftcron.proto.Completion;
import io.raftcron.proto.HeartbeatRequest;
import io.raftcron.proto.HeartbeatResponse;
import io.raftcron.proto.LeaseRef;
import io.raftcron.proto.LeaseState;
import io.raftcron.proto.LeaseStatus;
import io.raftcron.proto.PollRunsRequest;
import io.raftcron.proto.PollRunsResponse;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.WorkerServiceGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class WorkerTest {
  private final FakeWorkerService service = new FakeWorkerService();
  private Server server;

  @BeforeEach
  void startServer() throws IOException {
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(service).build().start();
  }

  @AfterEach
  void stopServer() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void pollsForFreeSlotsRunsAndCompletesUnderTheRunsToken() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    service.toLease.add(run("a@1", 11));
    service.toLease.add(run("b@1", 12));
    service.toLease.add(run("c@1", 13));

    try (Worker worker = Worker.builder()
        .endpoints(List.of(deadEndpoint(), "127.0.0.1:" + server.getPort()))
        .workerId("w1")
        .concurrency(2)
        .pollWait(Duration.ofMillis(200))
        .handler(run -> {
          release.await();
          return run.runId().startsWith("b") ? Outcome.failure(3, "boom") : Outcome.success();
        })
        .build()) {
      worker.start();

      // Both slots are taken by a@1 and b@1, so the worker must not poll again until one frees.
      await().atMost(Duration.ofSeconds(10)).until(() -> service.polls.size() >= 1);
      Thread.sleep(500);
      assertThat(service.polls).hasSize(1);
      assertThat(service.polls.peek().getMaxRuns()).isEqualTo(2);
      assertThat(service.polls.peek().getWorkerId()).isEqualTo("w1");

      release.countDown();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.completions.size() == 3);
    }

    assertThat(service.completions)
        .extracting(Completion::getRunId, Completion::getFencingToken, Completion::getSucceeded,
            Completion::getExitCode, Completion::getError, Completion::getWorker)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("a@1", 11L, true, 0, "", "w1"),
            org.assertj.core.groups.Tuple.tuple("b@1", 12L, false, 3, "boom", "w1"),
            org.assertj.core.groups.Tuple.tuple("c@1", 13L, true, 0, "", "w1"));
    assertThat(service.completions).allSatisfy(c -> {
      assertThat(c.hasStartedAt()).isTrue();
      assertThat(c.hasFinishedAt()).isTrue();
    });
  }

  @Test
  void aWorkerWithMoreSlotsThanOnePollMayAskForPollsAtMostTheServersLimit() throws Exception {
    for (int i = 0; i < 150; i++) {
      service.toLease.add(run("j" + i + "@1", i + 1));
    }

    try (Worker worker = worker(250, run -> Outcome.success())) {
      worker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.completions.size() == 150);
    }

    assertThat(service.polls).extracting(PollRunsRequest::getMaxRuns).allMatch(n -> n >= 1 && n <= 100);
    assertThat(service.polls.peek().getMaxRuns()).isEqualTo(100);
  }

  @Test
  void runsThatFinishWhileAReportIsOnItsWayAreReportedTogetherInOneCall() throws Exception {
    List<Integer> calls = completeFiftyRunsWhileTheFirstReportIsHeld();

    assertThat(calls).as("completions per call").hasSizeLessThan(50).anyMatch(n -> n > 1)
        .allMatch(n -> n <= CompletionReporter.MAX_PER_CALL);
  }

  @Test
  void reportsWithLongErrorTextsAreSplitIntoCallsWithinTheMessageLimit() throws Exception {
    for (int i = 0; i < 400; i++) {
      service.toLease.add(run("j" + i + "@1", i + 1));
    }
    service.holdFirstCompletionMs = 500; // the rest pile up meanwhile: 400 × 4 KiB would be 1.6 MB in one call

    try (Worker worker = worker(400, run -> Outcome.failure(1, "e".repeat(4096)))) {
      worker.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> service.completions.size() >= 400);
    }

    assertThat(service.completions).extracting(Completion::getRunId).doesNotHaveDuplicates().hasSize(400);
    assertThat(service.completionCalls).allMatch(n -> n * 4096 <= CompletionReporter.MAX_BYTES_PER_CALL);
  }

  @Test
  void againstAClusterWithoutCompleteRunsEachRunIsReportedOnItsOwnAndOnlyOnce() throws Exception {
    service.batchesUnimplemented = true;

    List<Integer> calls = completeFiftyRunsWhileTheFirstReportIsHeld();

    assertThat(calls).hasSize(50).containsOnly(1);
  }

  /** 50 runs leased in one poll and finished at once; the first report is held 500 ms. */
  private List<Integer> completeFiftyRunsWhileTheFirstReportIsHeld() {
    for (int i = 0; i < 50; i++) {
      service.toLease.add(run("j" + i + "@1", i + 1));
    }
    service.holdFirstCompletionMs = 500;
    try (Worker worker = worker(50, run -> Outcome.success())) {
      worker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.completions.size() >= 50);
    }
    assertThat(service.completions).extracting(Completion::getRunId).doesNotHaveDuplicates().hasSize(50);
    return List.copyOf(service.completionCalls);
  }

  @Test
  void aRunHoldsItsSlotUntilItsCompletionIsAnswered() throws Exception {
    service.toLease.add(run("a@1", 1));
    service.toLease.add(run("b@1", 2));
    service.holdFirstCompletionMs = 1000;

    try (Worker worker = worker(run -> Outcome.success())) {
      worker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.completions.size() == 2);
    }

    // a@1's handler returned at once, but its slot came back only with the answer to its report.
    assertThat(service.completionsSeenByPoll).startsWith(0, 1);
  }

  @Test
  void closingWaitsForTheAnswerToACompletionOnItsWay() throws Exception {
    service.toLease.add(run("a@1", 1));
    service.holdFirstCompletionMs = 1000;
    CountDownLatch handled = new CountDownLatch(1);

    try (Worker worker = worker(run -> {
      handled.countDown();
      return Outcome.success();
    })) {
      worker.start();
      assertThat(handled.await(10, TimeUnit.SECONDS)).isTrue();
    }

    assertThat(service.completions).extracting(Completion::getRunId).containsExactly("a@1");
  }

  @Test
  void closingInterruptsAHandlerStillRunningAfterTheGraceAndDoesNotReportIt() throws Exception {
    service.toLease.add(run("a@1", 61));
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    JobHandler sleeps = sleepsUntilInterrupted(interrupted);
    Worker worker = builder(1, run -> {
      started.countDown();
      return sleeps.handle(run);
    }).shutdownGrace(Duration.ofMillis(500)).build();
    worker.start();
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

    long closing = System.nanoTime();
    worker.close();
    long took = System.nanoTime() - closing;

    assertThat(interrupted.getCount()).as("the handler was interrupted").isZero();
    assertThat(took).as("close waited the grace, not the handler's minute")
        .isBetween(TimeUnit.MILLISECONDS.toNanos(500), TimeUnit.SECONDS.toNanos(10));
    // Not reported: its lease expires and the run is leased again.
    assertThat(service.completions).isEmpty();
  }

  @Test
  void aHandlerThatThrowsAnErrorIsReportedFailedWithTheTailOfALongMessage() throws Exception {
    service.toLease.add(run("a@1", 11));
    String message = "x".repeat(10_000) + " the end";

    try (Worker worker = worker(run -> {
      throw new AssertionError(message);
    })) {
      worker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.completions.size() == 1);
    }

    Completion reported = service.completions.peek();
    assertThat(reported.getSucceeded()).isFalse();
    assertThat(reported.getError()).endsWith(" the end").hasSize(Worker.MAX_ERROR_BYTES);
  }

  @Test
  void aWorkerIdOrConcurrencyTheClusterWouldRefuseIsRefusedAtBuild() {
    for (String id : List.of("batch 1", "w".repeat(129), "tab\tid")) {
      assertThatThrownBy(() -> builder(1, run -> Outcome.success()).workerId(id).build()).as(id)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("printable ASCII characters without spaces");
    }
    assertThatThrownBy(() -> builder(Worker.MAX_CONCURRENCY + 1, run -> Outcome.success()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("concurrency must be from 1 to 10000");
  }

  @Test
  void theShutdownGraceMustBePositive() {
    assertThatThrownBy(() -> builder(1, run -> Outcome.success()).shutdownGrace(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("shutdown grace must be positive: PT0S");
  }

  @Test
  void heartbeatsItsLeasesEveryThirdOfTheLeaseAndStopsARunWhoseLeaseIsLostWithoutReportingIt() throws Exception {
    CountDownLatch interrupted = new CountDownLatch(1);
    service.toLease.add(leased(run("a@1", 21), Duration.ofMillis(900)));
    service.lostAfter.put("a@1", 3);

    try (Worker worker = worker(sleepsUntilInterrupted(interrupted))) {
      worker.start();
      assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    }

    // close() waited for the execution, which reports (if at all) before it ends: nothing may have come.
    assertThat(service.completions).isEmpty();
    List<HeartbeatRequest> beats = List.copyOf(service.heartbeats);
    assertThat(beats).hasSizeGreaterThanOrEqualTo(3);
    assertThat(beats.get(0).getWorkerId()).isEqualTo("w1");
    assertThat(beats.get(0).getLeasesList())
        .containsExactly(LeaseRef.newBuilder().setRunId("a@1").setFencingToken(21).build());
    // Every lease/3 = 300 ms: three beats take about 900 ms, far less than the 10 s default.
    assertThat(service.heartbeatTimes.get(2) - service.heartbeatTimes.get(0))
        .isBetween(TimeUnit.MILLISECONDS.toNanos(400), TimeUnit.MILLISECONDS.toNanos(2_000));
  }

  @Test
  void aCancelInTheHeartbeatReplyStopsTheRunAndReportsItCancelled() throws Exception {
    service.toLease.add(leased(run("a@1", 31), Duration.ofMillis(600)));
    service.cancelled.add("a@1");

    try (Worker worker = worker(run -> {
      Thread.sleep(60_000);
      return Outcome.success();
    })) {
      worker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.completions.size() == 1);
    }

    Completion completion = service.completions.peek();
    assertThat(completion.getOutcome()).isEqualTo(RunState.CANCELLED);
    assertThat(completion.getSucceeded()).isFalse();
    assertThat(completion.getFencingToken()).isEqualTo(31);
    assertThat(completion.getError()).startsWith("cancelled");
  }

  @Test
  void aRunPastItsTimeoutIsStoppedAndReportedTimedOut() throws Exception {
    Run run = run("a@1", 41).toBuilder()
        .setTimeout(com.google.protobuf.Duration.newBuilder().setNanos(300_000_000))
        .build();
    service.toLease.add(run);
    long started = System.nanoTime();

    try (Worker worker = worker(r -> {
      Thread.sleep(60_000);
      return Outcome.success();
    })) {
      worker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.completions.size() == 1);
    }

    Completion completion = service.completions.peek();
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(10));
    assertThat(completion.getOutcome()).isEqualTo(RunState.TIMED_OUT);
    assertThat(completion.getError()).startsWith("timed out after PT0.3S");
  }

  @Test
  void aHandlerThatSucceedsBeforeItsTimeoutIsReportedSucceeded() throws Exception {
    Run run = run("a@1", 51).toBuilder()
        .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(30))
        .build();
    service.toLease.add(run);

    try (Worker worker = worker(r -> Outcome.success())) {
      worker.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> service.completions.size() == 1);
    }

    assertThat(service.completions.peek().getOutcome()).isEqualTo(RunState.SUCCEEDED);
  }

  /** A handler that sleeps a minute unless interrupted, which it counts down on {@code interrupted}. */
  private static JobHandler sleepsUntilInterrupted(CountDownLatch interrupted) {
    return run -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return Outcome.success();
    };
  }

  private Worker worker(JobHandler handler) {
    return worker(1, handler);
  }

  private Worker worker(int concurrency, JobHandler handler) {
    return builder(concurrency, handler).build();
  }

  /** Worker w1 of this test's server, polling with a short wait. */
  private Worker.Builder builder(int concurrency, JobHandler handler) {
    return Worker.builder()
        .endpoints(List.of("127.0.0.1:" + server.getPort()))
        .workerId("w1")
        .concurrency(concurrency)
        .pollWait(Duration.ofMillis(200))
        .handler(handler);
  }

  /** The run as granted at now for {@code lease}: the worker learns the lease length from it. */
  private static Run leased(Run run, Duration lease) {
    java.time.Instant now = java.time.Instant.now();
    java.time.Instant deadline = now.plus(lease);
    return run.toBuilder()
        .setLeasedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(now.getEpochSecond()).setNanos(now.getNano()))
        .setLeaseDeadline(com.google.protobuf.Timestamp.newBuilder()
            .setSeconds(deadline.getEpochSecond()).setNanos(deadline.getNano()))
        .build();
  }

  private static Run run(String id, long token) {
    return Run.newBuilder().setRunId(id).setJob(id.substring(0, 1)).setFencingToken(token).setAttempt(1).build();
  }

  private static String deadEndpoint() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  /** Leases queued runs up to max_runs; with none queued, answers empty after a short wait. */
  private static final class FakeWorkerService extends WorkerServiceGrpc.WorkerServiceImplBase {
    final Queue<Run> toLease = new ConcurrentLinkedQueue<>();
    final Queue<PollRunsRequest> polls = new ConcurrentLinkedQueue<>();
    final Queue<Completion> completions = new ConcurrentLinkedQueue<>();
    /** Per poll, how many completions had been answered when it came. */
    final Queue<Integer> completionsSeenByPoll = new ConcurrentLinkedQueue<>();

    @Override
    public void pollRuns(PollRunsRequest request, StreamObserver<PollRunsResponse> response) {
      polls.add(request);
      completionsSeenByPoll.add(completions.size());
      PollRunsResponse.Builder leased = PollRunsResponse.newBuilder();
      for (int i = 0; i < request.getMaxRuns() && !toLease.isEmpty(); i++) {
        leased.addRuns(toLease.poll());
      }
      if (leased.getRunsCount() == 0) {
        sleep(request.getWait().getNanos() / 1_000_000 + request.getWait().getSeconds() * 1000);
      }
      response.onNext(leased.build());
      response.onCompleted();
    }

    final Queue<HeartbeatRequest> heartbeats = new ConcurrentLinkedQueue<>();
    final List<Long> heartbeatTimes = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Run id → the heartbeat from which on its lease is reported LOST. */
    final Map<String, Integer> lostAfter = new ConcurrentHashMap<>();
    final Set<String> cancelled = ConcurrentHashMap.newKeySet();

    @Override
    public void heartbeat(HeartbeatRequest request, StreamObserver<HeartbeatResponse> response) {
      heartbeats.add(request);
      heartbeatTimes.add(System.nanoTime());
      HeartbeatResponse.Builder reply = HeartbeatResponse.newBuilder();
      for (LeaseRef lease : request.getLeasesList()) {
        long seen = heartbeats.stream()
            .filter(h -> h.getLeasesList().stream().anyMatch(l -> l.getRunId().equals(lease.getRunId())))
            .count();
        LeaseStatus status = cancelled.contains(lease.getRunId()) ? LeaseStatus.CANCEL
            : seen >= lostAfter.getOrDefault(lease.getRunId(), Integer.MAX_VALUE) ? LeaseStatus.LOST
            : LeaseStatus.HELD;
        reply.addLeases(LeaseState.newBuilder().setRunId(lease.getRunId()).setStatus(status));
      }
      response.onNext(reply.build());
      response.onCompleted();
    }

    /** Completions per call: 1 for CompleteRun, the batch size for CompleteRuns. */
    final Queue<Integer> completionCalls = new ConcurrentLinkedQueue<>();
    /** How long the first completion call is held (while more runs finish). */
    volatile long holdFirstCompletionMs;
    /** Answer CompleteRuns UNIMPLEMENTED, as a cluster from before it would. */
    volatile boolean batchesUnimplemented;

    @Override
    public void completeRun(CompleteRunRequest request, StreamObserver<CompleteRunResponse> response) {
      holdIfFirst();
      completions.add(request.getCompletion());
      completionCalls.add(1);
      response.onNext(CompleteRunResponse.newBuilder().setAccepted(true).setCode(ResultCode.OK).build());
      response.onCompleted();
    }

    @Override
    public void completeRuns(CompleteRunsRequest request, StreamObserver<CompleteRunsResponse> response) {
      if (batchesUnimplemented) {
        super.completeRuns(request, response);
        return;
      }
      holdIfFirst();
      completions.addAll(request.getCompletionsList());
      completionCalls.add(request.getCompletionsCount());
      CompleteRunsResponse.Builder reply = CompleteRunsResponse.newBuilder();
      request.getCompletionsList().forEach(c ->
          reply.addResults(CompleteRunResponse.newBuilder().setAccepted(true).setCode(ResultCode.OK)));
      response.onNext(reply.build());
      response.onCompleted();
    }

    private void holdIfFirst() {
      if (completionCalls.isEmpty()) {
        sleep(holdFirstCompletionMs);
      }
    }

    private static void sleep(long millis) {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
