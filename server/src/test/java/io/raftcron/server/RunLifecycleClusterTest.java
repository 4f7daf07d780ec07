package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.client.RaftcronClient;
import io.raftcron.client.worker.Outcome;
import io.raftcron.client.worker.RunContext;
import io.raftcron.client.worker.Worker;
import io.raftcron.proto.Attempt;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.sm.Times;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries, dead letters, timeouts and cancels through three in-process nodes and a real worker:
 * a retry that waits through a leader failover, a run that exhausts its attempts and shows up in
 * the dead-letter view, a run stopped by its timeout, and a leased run cancelled through the API
 * whose worker learns it from its heartbeat.
 */
class RunLifecycleClusterTest {
  private static final Duration LEASE = Duration.ofSeconds(3);

  @TempDir Path dir;

  /** A daily schedule whose only slot in this test is {@code delay} from now (whole seconds, UTC). */
  private static JobSpec.Builder onceIn(String name, Duration delay) {
    ZonedDateTime at = ZonedDateTime.now(ZoneOffset.UTC).plus(delay).truncatedTo(ChronoUnit.SECONDS);
    return JobSpec.newBuilder()
        .setName(name)
        .setSchedule(at.getSecond() + " " + at.getMinute() + " " + at.getHour() + " * * *")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")));
  }

  private static RetryPolicy retry(int maxAttempts, Duration initial) {
    return RetryPolicy.newBuilder()
        .setMaxAttempts(maxAttempts)
        .setInitialBackoff(com.google.protobuf.Duration.newBuilder().setSeconds(initial.getSeconds()))
        .setJitter(0.01)
        .build();
  }

  private static Run onlyRun(RaftcronClient client, String job) {
    List<Run> runs = client.listRuns(job, 10);
    assertThat(runs).hasSizeLessThanOrEqualTo(1);
    return runs.isEmpty() ? null : runs.get(0);
  }

  private static RunState stateOf(RaftcronClient client, String job) {
    Run run = onlyRun(client, job);
    return run == null ? null : run.getState();
  }

  @Test
  void retriesSurviveAFailoverExhaustedRunsAreDeadLettersTimeoutsAndCancelsStopTheWorker() throws Exception {
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    Map<String, Boolean> interrupted = new ConcurrentHashMap<>();
    try (LocalCluster cluster = new LocalCluster(dir, 3, LEASE);
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      cluster.awaitLeader(Duration.ofSeconds(30));
      try (Worker worker = Worker.builder()
          .endpoints(cluster.grpcAddrs())
          .workerId("w1")
          .concurrency(4)
          .pollWait(Duration.ofSeconds(2))
          .handler(run -> handle(run, attempts, interrupted))
          .build()) {
        worker.start();

        // 1. The first attempt fails; the retry waits 3 s, and the leader is stopped meanwhile.
        client.createJob(onceIn("flaky", Duration.ofSeconds(2)).setRetry(retry(3, Duration.ofSeconds(3))).build());
        await().atMost(Duration.ofSeconds(20)).until(() -> stateOf(client, "flaky") == RunState.RETRY_WAIT);
        Run waiting = onlyRun(client, "flaky");
        RaftcronServer oldLeader = cluster.leader().orElseThrow();
        cluster.stop(oldLeader);
        await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(client, "flaky") == RunState.SUCCEEDED);
        Run flaky = onlyRun(client, "flaky");
        assertThat(flaky.getAttempt()).isEqualTo(2);
        assertThat(flaky.getAttemptsList()).extracting(Attempt::getOutcome)
            .containsExactly(RunState.FAILED, RunState.SUCCEEDED);
        assertThat(flaky.getAttempts(0).getError()).isEqualTo("first attempt fails");
        Instant retryAt = Times.toInstant(waiting.getNextAttemptAt());
        Instant failedAt = Times.toInstant(waiting.getAttempts(0).getFinishedAt());
        assertThat(Duration.between(failedAt, retryAt)).isBetween(Duration.ofMillis(2_500), Duration.ofMillis(3_500));
        assertThat(Times.toInstant(flaky.getAttempts(1).getStartedAt())).isAfterOrEqualTo(retryAt.minusMillis(50));
        cluster.restart(oldLeader.config().nodeId());

        // 2. Every attempt fails: FAILED, with both errors kept, listed by the dead-letter view.
        client.createJob(onceIn("doomed", Duration.ofSeconds(2)).setRetry(retry(2, Duration.ofSeconds(1))).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(client, "doomed") == RunState.FAILED);
        Run doomed = onlyRun(client, "doomed");
        assertThat(doomed.getAttemptsList()).extracting(Attempt::getAttempt, Attempt::getError)
            .containsExactly(
                org.assertj.core.groups.Tuple.tuple(1, "doomed attempt 1"),
                org.assertj.core.groups.Tuple.tuple(2, "doomed attempt 2"));
        assertThat(client.listRuns("", RunState.FAILED, 10)).extracting(Run::getRunId).containsExactly(doomed.getRunId());
        assertThat(client.listRuns("", RunState.SUCCEEDED, 10)).extracting(Run::getRunId).containsExactly(flaky.getRunId());
        assertThat(client.listRuns("", null, 10)).extracting(Run::getRunId)
            .containsExactly(doomed.getRunId(), flaky.getRunId()); // newest slot first, across jobs

        // 3. A run past its timeout is stopped by the worker and recorded TIMED_OUT.
        client.createJob(onceIn("slow", Duration.ofSeconds(2))
            .setTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(1)).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> stateOf(client, "slow") == RunState.TIMED_OUT);
        assertThat(onlyRun(client, "slow").getError()).startsWith("timed out after PT1S");
        assertThat(interrupted).containsKey("slow");

        // 4. A leased run cancelled through the API: the worker learns it from its heartbeat.
        client.createJob(onceIn("long", Duration.ofSeconds(2)).build());
        await().atMost(Duration.ofSeconds(30)).until(() -> attempts.containsKey("long"));
        Run leased = onlyRun(client, "long");
        assertThat(leased.getState()).isEqualTo(RunState.LEASED);
        Run marked = client.cancelRun(leased.getRunId());
        assertThat(marked.getCancelRequested()).isTrue();
        await().atMost(Duration.ofSeconds(15)).until(() -> stateOf(client, "long") == RunState.CANCELLED);
        assertThat(interrupted).containsKey("long");
        assertThat(onlyRun(client, "long").getAttemptsList()).extracting(Attempt::getOutcome)
            .containsExactly(RunState.CANCELLED);
      }
      assertThat(cluster.fatalError()).isNull();
    }
  }

  @Test
  void aJobThatForbidsOverlapHasAtMostOneRunLeasedAtATime() throws Exception {
    AtomicInteger running = new AtomicInteger();
    AtomicInteger mostAtOnce = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    try (LocalCluster cluster = new LocalCluster(dir, 3, LEASE);
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      cluster.awaitLeader(Duration.ofSeconds(30));
      try (Worker worker = Worker.builder()
          .endpoints(cluster.grpcAddrs())
          .workerId("w1")
          .concurrency(4)
          .pollWait(Duration.ofSeconds(2))
          .handler(run -> {
            mostAtOnce.accumulateAndGet(running.incrementAndGet(), Math::max);
            try {
              Thread.sleep(1_500);
            } finally {
              running.decrementAndGet();
              done.incrementAndGet();
            }
            return Outcome.success();
          })
          .build()) {
        worker.start();
        client.createJob(JobSpec.newBuilder()
            .setName("serial")
            .setSchedule("* * * * * *")
            .setOverlap(io.raftcron.proto.OverlapPolicy.BUFFER_ONE)
            .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
            .build());
        await().atMost(Duration.ofSeconds(30)).until(() -> done.get() >= 3);
        client.deleteJob("serial");
      }
      assertThat(mostAtOnce.get()).isEqualTo(1);
      assertThat(cluster.fatalError()).isNull();
    }
  }

  private static Outcome handle(RunContext run, Map<String, AtomicInteger> attempts, Map<String, Boolean> interrupted)
      throws InterruptedException {
    String job = run.run().getJob();
    int n = attempts.computeIfAbsent(job, j -> new AtomicInteger()).incrementAndGet();
    switch (job) {
      case "flaky":
        return n == 1 ? Outcome.failure(1, "first attempt fails") : Outcome.success();
      case "doomed":
        return Outcome.failure(1, "doomed attempt " + run.attempt());
      default:
        try {
          Thread.sleep(60_000);
        } catch (InterruptedException e) {
          interrupted.put(job, true);
          throw e;
        }
        return Outcome.success();
    }
  }
}
