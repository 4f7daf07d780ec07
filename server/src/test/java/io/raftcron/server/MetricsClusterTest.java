package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.client.RaftcronClient;
import io.raftcron.client.worker.Outcome;
import io.raftcron.client.worker.Worker;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ShellExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Metrics of a real three-node cluster, read through the Prometheus text format: per-job series
 * derived from committed entries on every node (followers too), cluster gauges, jraft's bridged
 * metrics, and the switch that drops the job label.
 */
class MetricsClusterTest {
  private static final Duration LEASE = Duration.ofSeconds(3);

  @TempDir Path dir;

  private static JobSpec every(String name, String seconds) {
    return JobSpec.newBuilder()
        .setName(name)
        .setSchedule("@every " + seconds)
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
        .build();
  }

  private static Worker worker(LocalCluster cluster) {
    return Worker.builder()
        .endpoints(cluster.grpcAddrs())
        .workerId("w1")
        .concurrency(4)
        .pollWait(Duration.ofSeconds(2))
        .handler(run -> run.run().getJob().equals("bad") ? Outcome.failure(3, "bad exits 3") : Outcome.success())
        .build();
  }

  @Test
  void everyNodeCountsFiresOutcomesAndLatenessAndTheLeaderReportsItself() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, LEASE);
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader().isPresent());
      try (Worker worker = worker(cluster)) {
        worker.start();
        client.createJob(every("good", "1s"));
        client.createJob(every("bad", "1s"));
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () -> {
                  for (RaftcronServer node : cluster.running()) {
                    Scrape scrape = Scrape.of(node.metricsRegistry());
                    assertThat(scrape.value("raftcron_job_runs_finished_total", "job_name=\"good\",state=\"SUCCEEDED\""))
                        .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(2));
                    assertThat(scrape.value("raftcron_job_runs_finished_total", "job_name=\"bad\",state=\"FAILED\""))
                        .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(2));
                  }
                });
      }
      RaftcronServer leader = cluster.leader().orElseThrow();
      double leaders = 0;
      for (RaftcronServer node : cluster.running()) {
        Scrape scrape = Scrape.of(node.metricsRegistry());
        leaders += scrape.value("raftcron_raft_leader", "").orElseThrow();
        assertThat(scrape.value("raftcron_job_fires_total", "job_name=\"good\"")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(2));
        assertThat(scrape.value("raftcron_job_fire_lateness_seconds_count", "job_name=\"good\""))
            .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(2));
        // On-time slots are decided well within a second of their time.
        assertThat(scrape.value("raftcron_job_fire_lateness_seconds_bucket", "job_name=\"good\",le=\"1.0\""))
            .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(2));
        assertThat(scrape.value("raftcron_job_start_lateness_seconds_count", "job_name=\"good\"")).isPresent();
        assertThat(scrape.value("raftcron_job_run_duration_seconds_count", "job_name=\"bad\"")).isPresent();
        assertThat(scrape.value("raftcron_job_last_failure_timestamp_seconds", "job_name=\"bad\""))
            .hasValueSatisfying(v -> assertThat(v).isGreaterThan(1.7e9));
        assertThat(scrape.value("raftcron_job_last_success_timestamp_seconds", "job_name=\"good\""))
            .hasValueSatisfying(v -> assertThat(v).isGreaterThan(1.7e9));
        assertThat(scrape.value("raftcron_job_next_slot_timestamp_seconds", "job_name=\"good\"")).isPresent();
        assertThat(scrape.value("raftcron_raft_term", "")).hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(1));
        assertThat(scrape.value("raftcron_raft_commit_index", "")).hasValueSatisfying(v -> assertThat(v).isGreaterThan(3));
        assertThat(scrape.value("raftcron_apply_duration_seconds_count", "")).hasValueSatisfying(v -> assertThat(v).isGreaterThan(3));
        assertThat(scrape.value("raftcron_jobs", "")).hasValue(2.0);
        assertThat(scrape.sampleNames()).anyMatch(n -> n.startsWith("jvm_memory"));
        // jraft's Dropwizard metrics, bridged: e.g. its log-append and FSM-apply timers.
        assertThat(scrape.sampleNames()).anyMatch(n -> n.contains("append_logs") || n.contains("fsm_apply"));
      }
      assertThat(leaders).isEqualTo(1);
      Scrape ofLeader = Scrape.of(leader.metricsRegistry());
      assertThat(ofLeader.value("raftcron_workers_connected", "")).hasValue(1.0);
      // The deciding leader times each fired slot to its decision's commit: both jobs, two slots each at least,
      // and on-time slots commit within a second.
      assertThat(ofLeader.value("raftcron_fire_commit_lateness_seconds_count", ""))
          .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(4));
      assertThat(ofLeader.value("raftcron_fire_commit_lateness_seconds_bucket", "le=\"1.0\""))
          .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(4));
      // Its thread's tasks are timed: at least one wake per fired slot.
      assertThat(ofLeader.value("raftcron_leader_task_duration_seconds_count", ""))
          .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(4));
    }
  }

  @Test
  void withPerJobMetricsOffNoSeriesCarriesAJobLabel() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, LEASE, b -> b.perJobMetrics(false));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader().isPresent());
      try (Worker worker = worker(cluster)) {
        worker.start();
        for (String name : List.of("a", "b", "c")) {
          client.createJob(every(name, "1s"));
        }
        RaftcronServer node = cluster.running().get(0);
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(Scrape.of(node.metricsRegistry()).value("raftcron_job_runs_finished_total", "state=\"SUCCEEDED\""))
                        .hasValueSatisfying(v -> assertThat(v).isGreaterThanOrEqualTo(3)));
        assertThat(Scrape.of(node.metricsRegistry()).text()).doesNotContain("job_name=\"");
      }
    }
  }
}
