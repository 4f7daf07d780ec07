package io.raftcron.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The per-job metric families, registered once per node. Exemplars are off: they are sampled from
 * the current OpenTelemetry span, and none is current where these are updated (the run traces are
 * built from committed records after the fact), so the sampler would only cost time on the
 * applying thread. The timestamp gauges exist only with per-job labels.
 */
final class JobFamilies {
  /** A metric family as {@link JobSeries} uses it: the data point of some label values, and its removal. */
  record Family<D>(Function<String[], D> lookUp, Consumer<String[]> remove) {}

  final JobLabels labels;
  final Family<CounterDataPoint> fires;
  final Family<CounterDataPoint> finished;
  final Family<CounterDataPoint> retries;
  final Family<CounterDataPoint> skipped;
  final Family<DistributionDataPoint> duration;
  final Family<DistributionDataPoint> fireLateness;
  final Family<DistributionDataPoint> startLateness;
  final Family<GaugeDataPoint> lastFire;
  final Family<GaugeDataPoint> lastSuccess;
  final Family<GaugeDataPoint> lastFailure;

  JobFamilies(PrometheusRegistry registry, JobLabels labels) {
    this.labels = labels;
    fires = counter(registry, "raftcron_job_fires_total",
        "Scheduled slots fired (committed fire decisions that queued a run)", labels.names());
    finished = counter(registry, "raftcron_job_runs_finished_total",
        "Runs that reached a final state, by that state", labels.names("state"));
    retries = counter(registry, "raftcron_job_retries_total",
        "Failed or timed-out attempts sent to RETRY_WAIT for another attempt", labels.names());
    skipped = counter(registry, "raftcron_job_skipped_slots_total",
        "Schedule slots decided not to run, by reason (missed, paused, before start, overlap)", labels.names("reason"));
    duration = histogram(registry, "raftcron_job_run_duration_seconds",
        "Duration of each finished attempt, from worker start to finish", Buckets.DURATION);
    fireLateness = histogram(registry, "raftcron_job_fire_lateness_seconds",
        "From a scheduled slot to the leader's committed fire decision", Buckets.LATENESS);
    startLateness = histogram(registry, "raftcron_job_start_lateness_seconds",
        "From a run's fire decision to the start of its first attempt on a worker", Buckets.LATENESS);
    if (labels.perJob()) {
      lastFire = timestampGauge(registry, "raftcron_job_last_fire_timestamp_seconds", "When the job's last scheduled slot fired");
      lastSuccess = timestampGauge(registry, "raftcron_job_last_success_timestamp_seconds", "When the job's last successful attempt finished");
      lastFailure = timestampGauge(registry, "raftcron_job_last_failure_timestamp_seconds", "When the job's last failed or timed-out attempt finished");
    } else {
      lastFire = lastSuccess = lastFailure = null;
    }
  }

  private static Family<CounterDataPoint> counter(
      PrometheusRegistry registry, String name, String help, String[] labelNames) {
    Counter counter =
        Counter.builder().name(name).help(help).labelNames(labelNames).withoutExemplars().register(registry);
    return new Family<>(counter::labelValues, counter::remove);
  }

  private Family<DistributionDataPoint> histogram(
      PrometheusRegistry registry, String name, String help, double[] buckets) {
    Histogram histogram = Histogram.builder()
        .name(name)
        .unit(Unit.SECONDS)
        .help(help)
        .labelNames(labels.names())
        .classicOnly()
        .classicUpperBounds(buckets)
        .withoutExemplars()
        .register(registry);
    return new Family<>(histogram::labelValues, histogram::remove);
  }

  private static Family<GaugeDataPoint> timestampGauge(PrometheusRegistry registry, String name, String help) {
    Gauge gauge = Gauge.builder()
        .name(name)
        .help(help + " (Unix seconds)")
        .labelNames(JobLabels.JOB)
        .withoutExemplars()
        .register(registry);
    return new Family<>(gauge::labelValues, gauge::remove);
  }
}
