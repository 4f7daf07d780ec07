package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.client.worker.Outcome;
import io.raftcron.client.worker.Worker;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ListJobsResponse;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.ShellExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Secrets masked on every read but given to workers, and the request limits of the API edge, on a real node. */
class SecretsAndLimitsTest {
  @TempDir static Path dir;
  private static LocalCluster cluster;
  private static RaftcronClient client;

  @BeforeAll
  static void start() throws Exception {
    cluster = new LocalCluster(dir, 1, Duration.ofSeconds(10));
    client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20));
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader().isPresent());
  }

  @AfterAll
  static void stop() {
    client.close();
    cluster.close();
  }

  private static JobSpec job(String name, ShellExecutor.Builder shell) {
    return JobSpec.newBuilder().setName(name).setSchedule("@every 1h")
        .setExecutor(Executor.newBuilder().setShell(shell)).build();
  }

  private static Map<String, String> env(Job job) {
    return job.getSpec().getExecutor().getShell().getEnvMap();
  }

  @Test
  void secretEnvValuesAreMaskedOnEveryReadButWorkersGetThemAndAnUpdateKeepsThem() throws Exception {
    ShellExecutor.Builder shell = ShellExecutor.newBuilder().setCommand("deploy")
        .putEnv("DB_PASSWORD", "hunter2").putEnv("MODE", "fast").addSecretEnv("DB_PASSWORD");
    Job created = client.createJob(job("secretive", shell));

    assertThat(env(created)).containsEntry("DB_PASSWORD", "***").containsEntry("MODE", "fast");
    assertThat(env(client.getJob("secretive"))).containsEntry("DB_PASSWORD", "***");
    assertThat(client.listJobs()).filteredOn(j -> j.getSpec().getName().equals("secretive"))
        .singleElement().satisfies(j -> assertThat(env(j)).containsEntry("DB_PASSWORD", "***"));
    assertThat(created.toString()).doesNotContain("hunter2");

    // Read, change, write back what was read: the mask must not become the password.
    Job read = client.getJob("secretive");
    client.updateJob(read.getSpec().toBuilder().setSchedule("@every 2h").build(), read.getVersion());
    Run run = client.triggerJob("secretive", "");
    assertThat(run.getExecutor().getShell().getEnvMap()).containsEntry("DB_PASSWORD", "***");

    Map<String, String> seenByWorker = new ConcurrentHashMap<>();
    try (Worker worker = Worker.builder().endpoints(cluster.grpcAddrs()).workerId("w-secret")
        .pollWait(Duration.ofSeconds(1))
        .handler(ctx -> {
          seenByWorker.putAll(ctx.run().getExecutor().getShell().getEnvMap());
          return Outcome.success();
        }).build()) {
      worker.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> client.getRun(run.getRunId()).getState() == RunState.SUCCEEDED);
    }
    assertThat(seenByWorker).containsEntry("DB_PASSWORD", "hunter2").containsEntry("MODE", "fast");
    assertThat(client.listRuns("secretive", 10)).allSatisfy(r ->
        assertThat(r.getExecutor().getShell().getEnvMap()).containsEntry("DB_PASSWORD", "***"));
  }

  @Test
  void jobsAreListedInPagesInNameOrderAndABadPageSizeIsRefused() {
    for (String name : List.of("page-c", "page-a", "page-e", "page-b", "page-d")) {
      client.createJob(job(name, ShellExecutor.newBuilder().setCommand("true")));
    }
    List<Job> all = client.listJobs();
    List<String> paged = new ArrayList<>();
    String token = "";
    do {
      ListJobsResponse page = client.listJobs(2, token);
      assertThat(page.getJobsCount()).isBetween(1, 2);
      assertThat(page.getTotal()).isEqualTo(all.size());
      page.getJobsList().forEach(j -> paged.add(j.getSpec().getName()));
      token = page.getNextPageToken();
    } while (!token.isEmpty());

    assertThat(paged).isSorted().doesNotHaveDuplicates()
        .containsSubsequence("page-a", "page-b", "page-c", "page-d", "page-e")
        .isEqualTo(all.stream().map(j -> j.getSpec().getName()).toList());
    for (int bad : new int[] {-1, 10_001}) {
      assertThatThrownBy(() -> client.listJobs(bad, ""))
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    }
  }

  @Test
  void aRequestOverTheMessageLimitIsRefusedAndChangesNothing() {
    ShellExecutor.Builder huge = ShellExecutor.newBuilder().setCommand("x".repeat(2 * 1024 * 1024));
    int before = client.listJobs().size();
    assertThatThrownBy(() -> client.createJob(job("huge", huge)))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(client.listJobs()).hasSize(before);
  }

  @Test
  void anEnvValueOverItsLimitIsRefusedAtTheEdgeWithTheFieldNamed() {
    assertThatThrownBy(() -> client.createJob(job("big-env", ShellExecutor.newBuilder().setCommand("true")
        .putEnv("BLOB", "b".repeat(5000)))))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("executor.shell.env value of 'BLOB' is 5000 bytes: at most 4096 are allowed");
    assertThatThrownBy(() -> client.getJob("big-env"))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void pollsAskingForTooManyRunsOrWithABadWorkerIdAreRefused() {
    assertThatThrownBy(() -> client.pollRuns("w1", 101, Duration.ZERO))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("max_runs 101 is out of range: from 1 to 100");
    for (String bad : List.of("has space", "w".repeat(129), "tab\there")) {
      assertThatThrownBy(() -> client.pollRuns(bad, 1, Duration.ZERO)).as(bad)
          .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
          .hasMessageContaining("printable ASCII characters without spaces");
    }
  }

  @Test
  void runIdsAndTimesNoRunCouldHoldAreRefusedAtTheEdge() {
    String farFuture = "x@+300000000-01-01T00:00:00Z"; // parses as an instant; its key's milliseconds overflow
    assertThatThrownBy(() -> client.heartbeat("w1",
        List.of(io.raftcron.proto.LeaseRef.newBuilder().setRunId(farFuture).setFencingToken(5).build()), Duration.ofSeconds(10)))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("leases[0].run_id is not a run id");
    assertThatThrownBy(() -> client.completeRun(io.raftcron.proto.Completion.newBuilder().setRunId(farFuture)
        .setFencingToken(5).setWorker("w1").setSucceeded(true).build()))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("completion.run_id is not a run id");
    // Nanoseconds sent as seconds: refused before the log, where applying it would stop every node.
    assertThatThrownBy(() -> client.completeRun(io.raftcron.proto.Completion.newBuilder().setRunId("x@2026-01-01T00:00:00Z")
        .setFencingToken(5).setWorker("w1").setSucceeded(true)
        .setFinishedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_700_000_000_000_000_000L)).build()))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("completion.finished_at");
    assertThatThrownBy(() -> client.getRun(farFuture))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> client.explainSlot("any", java.time.Instant.ofEpochSecond(Long.MAX_VALUE / 1000)))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("slot");
  }

  @Test
  void anErrorQuotingAHugeValueReachesTheCallerAsItsStatusCut() {
    String huge = "x".repeat(20_000); // quoted whole, the grpc-message trailer would pass the client's 8 KiB
    assertThatThrownBy(() -> client.getJob(huge))
        .isInstanceOfSatisfying(RaftcronException.class, e -> {
          assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND);
          assertThat(e.getMessage()).startsWith("job 'xxx").endsWith(" characters)").hasSizeLessThan(1000);
        });
    assertThatThrownBy(() -> client.createJob(job(huge, ShellExecutor.newBuilder().setCommand("true"))))
        .isInstanceOfSatisfying(RaftcronException.class, e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));
  }
}
