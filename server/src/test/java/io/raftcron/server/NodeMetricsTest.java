package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.DeleteJob;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.SlotDecision;
import io.raftcron.server.metrics.NodeMetrics;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import io.raftcron.sm.applier.Applier;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's per-job metrics fed by the real applier, entry by entry, as the applying thread feeds
 * them: a deleted job's series disappear and a job created again under its name counts from zero
 * (no cached data point outlives its series), the other jobs' series stay, the timestamp gauges
 * are seeded from run history at start, and without per-job labels every job counts in one series.
 */
class NodeMetricsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:05Z");

  @TempDir Path dir;
  private SchedulerStore store;
  private Applier applier;
  private long index;
  private NodeMetrics metrics;

  @BeforeEach
  void open() {
    store = SchedulerStore.open(dir.resolve("db"));
    applier = new Applier(store);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private NodeMetrics start(boolean perJobLabels) {
    metrics = NodeMetrics.register(new PrometheusRegistry(), perJobLabels, store, java.time.InstantSource.system());
    return metrics;
  }

  private Scrape scrape() {
    return Scrape.of(metrics.registry());
  }

  private CommandResult apply(Instant at, Command.Builder command) {
    Command stamped = command.setLeaderTime(Times.toTimestamp(at)).setLeaderNode("n1").setTerm(1).build();
    CommandResult result = applier.apply(++index, stamped);
    metrics.onApplied(stamped, result);
    return result;
  }

  private void create(String job, Instant at) {
    CommandResult result = apply(at, Command.newBuilder().setPutJob(
        PutJob.newBuilder().setSpec(TestJobs.everySecond(job)).setCreate(true)));
    assertThat(result.getCode()).isEqualTo(ResultCode.OK);
  }

  private void delete(String job, Instant at) {
    CommandResult result = apply(at, Command.newBuilder().setDeleteJob(DeleteJob.newBuilder().setName(job)));
    assertThat(result.getCode()).isEqualTo(ResultCode.OK);
  }

  /** Fires {@code slot} of {@code job}, decided half a second after it. */
  private void fire(String job, Instant slot) {
    CommandResult result = apply(slot.plusMillis(500), Command.newBuilder().setFireSlots(FireSlots.newBuilder()
        .addDecisions(SlotDecision.newBuilder().setJob(job).setSlot(Times.toTimestamp(slot)).setFire(true))));
    assertThat(result.getItems(0).getCode()).isEqualTo(ResultCode.OK);
  }

  /** Leases the run of {@code slot} and reports it succeeded, one second later. */
  private void succeed(String job, Instant slot) {
    String runId = RunIds.of(job, slot);
    apply(slot.plusMillis(600), Command.newBuilder().setGrantLeases(GrantLeases.newBuilder().addGrants(
        LeaseGrant.newBuilder().setRunId(runId).setWorker("w1").setDeadline(Times.toTimestamp(slot.plusSeconds(30))))));
    long token = store.run(job, slot).orElseThrow().getFencingToken();
    apply(slot.plusSeconds(1), Command.newBuilder().setCompleteRuns(CompleteRuns.newBuilder().addCompletions(
        Completion.newBuilder().setRunId(runId).setFencingToken(token).setWorker("w1").setSucceeded(true)
            .setStartedAt(Times.toTimestamp(slot.plusMillis(700))).setFinishedAt(Times.toTimestamp(slot.plusMillis(900))))));
  }

  @Test
  void aDeletedJobsSeriesDisappearAndTheJobCreatedAgainCountsFromZero() {
    start(true);
    create("etl", T0.minusSeconds(5));
    create("other", T0.minusSeconds(5));
    fire("etl", T0);
    succeed("etl", T0);
    fire("etl", T0.plusSeconds(1));
    fire("other", T0.plusSeconds(1));
    Scrape before = scrape();
    assertThat(before.value("raftcron_job_fires_total", "job_name=\"etl\"")).hasValue(2.0);
    assertThat(before.value("raftcron_job_runs_finished_total", "job_name=\"etl\",state=\"SUCCEEDED\"")).hasValue(1.0);
    assertThat(before.value("raftcron_job_last_success_timestamp_seconds", "job_name=\"etl\"")).isPresent();

    delete("etl", T0.plusSeconds(3));
    Scrape deleted = scrape();
    assertThat(deleted.text()).doesNotContain("job_name=\"etl\"");
    assertThat(deleted.value("raftcron_job_fires_total", "job_name=\"other\"")).hasValue(1.0);
    assertThat(deleted.value("raftcron_job_fire_lateness_seconds_count", "job_name=\"other\"")).hasValue(1.0);

    create("etl", T0.plusSeconds(4));
    fire("etl", T0.plusSeconds(10));
    Scrape recreated = scrape();
    assertThat(recreated.value("raftcron_job_fires_total", "job_name=\"etl\"")).hasValue(1.0);
    assertThat(recreated.value("raftcron_job_fire_lateness_seconds_count", "job_name=\"etl\"")).hasValue(1.0);
    assertThat(recreated.value("raftcron_job_fire_lateness_seconds_sum", "job_name=\"etl\"")).hasValue(0.5);
    assertThat(recreated.value("raftcron_job_last_fire_timestamp_seconds", "job_name=\"etl\""))
        .hasValue((double) T0.plusSeconds(10).plusMillis(500).toEpochMilli() / 1000);
    assertThat(recreated.value("raftcron_job_runs_finished_total", "job_name=\"etl\",state=\"SUCCEEDED\"")).isEmpty();
    assertThat(recreated.value("raftcron_job_last_success_timestamp_seconds", "job_name=\"etl\"")).isEmpty();
  }

  @Test
  void aStartingNodeSeedsTheLastFireAndSuccessFromRunHistory() {
    start(true);
    create("etl", T0.minusSeconds(5));
    fire("etl", T0);
    succeed("etl", T0);

    start(true); // the same store, as after a restart
    Scrape restarted = scrape();
    assertThat(restarted.value("raftcron_job_last_fire_timestamp_seconds", "job_name=\"etl\""))
        .hasValue((double) T0.plusMillis(500).toEpochMilli() / 1000);
    assertThat(restarted.value("raftcron_job_last_success_timestamp_seconds", "job_name=\"etl\""))
        .hasValueSatisfying(v -> assertThat(v).isCloseTo(T0.getEpochSecond() + 0.9, within(1e-6)));
    assertThat(restarted.value("raftcron_job_fires_total", "job_name=\"etl\"")).isEmpty();
  }

  @Test
  void withoutPerJobLabelsEveryJobCountsInOneSeriesThatADeleteKeeps() {
    start(false);
    create("a", T0.minusSeconds(5));
    create("b", T0.minusSeconds(5));
    fire("a", T0);
    fire("b", T0);
    succeed("a", T0);
    delete("a", T0.plusSeconds(3));
    Scrape scrape = scrape();
    assertThat(scrape.value("raftcron_job_fires_total", "")).hasValue(2.0);
    assertThat(scrape.value("raftcron_job_fire_lateness_seconds_count", "")).hasValue(2.0);
    assertThat(scrape.value("raftcron_job_runs_finished_total", "state=\"SUCCEEDED\"")).hasValue(1.0);
    assertThat(scrape.text()).doesNotContain("job_name=");
  }
}
