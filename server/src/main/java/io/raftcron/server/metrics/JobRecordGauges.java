package io.raftcron.server.metrics;

import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.raftcron.proto.Job;
import io.raftcron.sm.planner.FirePlanner;
import io.raftcron.sm.store.SchedulerStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The gauges read from the job records at scrape time: the number of jobs (kept in memory by the
 * store) and, with per-job labels, each job's next slot and paused flag. One paged scan of the jobs
 * serves both per-job gauges (a gauge callback each would scan and parse every job once per gauge).
 */
final class JobRecordGauges implements MultiCollector {
  private static final String JOBS = "raftcron_jobs";
  private static final String NEXT_SLOT = "raftcron_job_next_slot_timestamp_seconds";
  private static final String PAUSED = "raftcron_job_paused";
  private static final int PAGE = 1000;

  private final SchedulerStore store;
  private final boolean perJob;

  JobRecordGauges(SchedulerStore store, boolean perJob) {
    this.store = store;
    this.perJob = perJob;
  }

  @Override
  public MetricSnapshots collect() {
    GaugeSnapshot count =
        GaugeSnapshot.builder().name(JOBS).help("Jobs defined").dataPoint(point(store.jobCount(), Labels.EMPTY)).build();
    if (!perJob) {
      return MetricSnapshots.of(count);
    }
    GaugeSnapshot.Builder next =
        GaugeSnapshot.builder().name(NEXT_SLOT).help("The job's next schedule slot (absent when it has none)");
    GaugeSnapshot.Builder paused = GaugeSnapshot.builder().name(PAUSED).help("1 while the job is paused");
    List<Job> page = store.jobs("", PAGE);
    while (!page.isEmpty()) {
      for (Job job : page) {
        Labels labels = Labels.of(JobLabels.JOB, job.getSpec().getName());
        FirePlanner.nextSlot(job).ifPresent(at -> next.dataPoint(point(JobMetrics.seconds(at), labels)));
        paused.dataPoint(point(job.getPaused() ? 1 : 0, labels));
      }
      page = page.size() < PAGE ? List.of() : store.jobs(page.get(page.size() - 1).getSpec().getName(), PAGE);
    }
    return MetricSnapshots.of(count, next.build(), paused.build());
  }

  @Override
  public List<String> getPrometheusNames() {
    List<String> names = new ArrayList<>(List.of(JOBS));
    if (perJob) {
      names.addAll(List.of(NEXT_SLOT, PAUSED));
    }
    return names;
  }

  private static GaugeDataPointSnapshot point(double value, Labels labels) {
    return GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
  }
}
