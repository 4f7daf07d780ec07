package io.raftcron.server.metrics;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.raftcron.proto.RunState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One job's data points (with per-job labels off: the one set all jobs share), kept so that an
 * update is an add on a data point rather than a label lookup in the metric (the client's
 * "specify label values only once"). Each data point is looked up when first used, so a job shows
 * only the series it has values for. Not thread-safe: used on the applying thread only.
 */
final class JobSeries {
  private final JobFamilies families;
  private final String job;
  private final String[] labelValues;
  /** Every series looked up so far, to remove them all when the job is deleted. */
  private final List<Runnable> removals = new ArrayList<>();

  private CounterDataPoint fires;
  private CounterDataPoint retries;
  private DistributionDataPoint duration;
  private DistributionDataPoint fireLateness;
  private DistributionDataPoint startLateness;
  private GaugeDataPoint lastFire;
  private GaugeDataPoint lastSuccess;
  private GaugeDataPoint lastFailure;
  private final Map<RunState, CounterDataPoint> finished = new EnumMap<>(RunState.class);
  private final Map<String, CounterDataPoint> skipped = new HashMap<>();

  JobSeries(JobFamilies families, String job) {
    this.families = families;
    this.job = job;
    this.labelValues = families.labels.values(job);
  }

  CounterDataPoint fires() {
    return fires != null ? fires : (fires = lookUp(families.fires, labelValues));
  }

  CounterDataPoint retries() {
    return retries != null ? retries : (retries = lookUp(families.retries, labelValues));
  }

  DistributionDataPoint duration() {
    return duration != null ? duration : (duration = lookUp(families.duration, labelValues));
  }

  DistributionDataPoint fireLateness() {
    return fireLateness != null ? fireLateness : (fireLateness = lookUp(families.fireLateness, labelValues));
  }

  DistributionDataPoint startLateness() {
    return startLateness != null ? startLateness : (startLateness = lookUp(families.startLateness, labelValues));
  }

  CounterDataPoint finished(RunState state) {
    return finished.computeIfAbsent(state, s -> lookUp(families.finished, families.labels.values(job, s.name())));
  }

  /** {@code reason} is a category ({@link JobMetrics#reasonOf}): a handful per job. */
  CounterDataPoint skipped(String reason) {
    return skipped.computeIfAbsent(reason, r -> lookUp(families.skipped, families.labels.values(job, r)));
  }

  /** Raises the job's last-fire time to {@code at}; nothing without per-job labels. */
  void fired(Instant at) {
    if (families.lastFire != null) {
      lastFire = raise(lastFire != null ? lastFire : lookUpTimestamp(families.lastFire), at);
    }
  }

  void succeeded(Instant at) {
    if (families.lastSuccess != null) {
      lastSuccess = raise(lastSuccess != null ? lastSuccess : lookUpTimestamp(families.lastSuccess), at);
    }
  }

  void failed(Instant at) {
    if (families.lastFailure != null) {
      lastFailure = raise(lastFailure != null ? lastFailure : lookUpTimestamp(families.lastFailure), at);
    }
  }

  /** Removes every series of the job from its metric; this object must not be used afterwards. */
  void remove() {
    removals.forEach(Runnable::run);
    removals.clear();
  }

  /** The data point of {@code values}, remembered for {@link #remove}. */
  private <D> D lookUp(JobFamilies.Family<D> family, String[] values) {
    removals.add(() -> family.remove().accept(values));
    return family.lookUp().apply(values);
  }

  /** The timestamp gauges are labelled by the job alone. */
  private GaugeDataPoint lookUpTimestamp(JobFamilies.Family<GaugeDataPoint> gauge) {
    return lookUp(gauge, new String[] {job});
  }

  private static GaugeDataPoint raise(GaugeDataPoint gauge, Instant at) {
    gauge.set(Math.max(gauge.get(), JobMetrics.seconds(at)));
    return gauge;
  }
}
