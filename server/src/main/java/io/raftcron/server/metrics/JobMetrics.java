package io.raftcron.server.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Completion;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.RunState;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Per-job metrics, derived from the committed entries this node applies (so every node, follower
 * or leader, exposes the same counts); the gauges read from the job records at scrape time are
 * {@link JobRecordGauges}. Nothing here scans run history on a scrape: the last fire, success and
 * failure times are kept as gauges, seeded once from each job's newest runs when the node starts.
 */
final class JobMetrics {
  static final int SEED_RUNS_PER_JOB = 50;

  private final JobLabels labels;
  private final Counter fires;
  private final Counter finished;
  private final Counter retries;
  private final Counter skipped;
  private final Histogram duration;
  private final Histogram fireLateness;
  private final Histogram startLateness;
  private final Gauge lastFire;
  private final Gauge lastSuccess;
  private final Gauge lastFailure;

  JobMetrics(PrometheusRegistry registry, JobLabels labels, SchedulerStore store) {
    this.labels = labels;
    fires =
        Counter.builder()
            .name("raftcron_job_fires_total")
            .help("Scheduled slots fired (committed fire decisions that queued a run)")
            .labelNames(labels.names())
            .register(registry);
    finished =
        Counter.builder()
            .name("raftcron_job_runs_finished_total")
            .help("Runs that reached a final state, by that state")
            .labelNames(labels.names("state"))
            .register(registry);
    retries =
        Counter.builder()
            .name("raftcron_job_retries_total")
            .help("Failed or timed-out attempts sent to RETRY_WAIT for another attempt")
            .labelNames(labels.names())
            .register(registry);
    skipped =
        Counter.builder()
            .name("raftcron_job_skipped_slots_total")
            .help("Schedule slots decided not to run, by reason (missed, paused, before start, overlap)")
            .labelNames(labels.names("reason"))
            .register(registry);
    duration =
        Histogram.builder()
            .name("raftcron_job_run_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Duration of each finished attempt, from worker start to finish")
            .labelNames(labels.names())
            .classicOnly()
            .classicUpperBounds(Buckets.DURATION)
            .register(registry);
    fireLateness =
        Histogram.builder()
            .name("raftcron_job_fire_lateness_seconds")
            .unit(Unit.SECONDS)
            .help("From a scheduled slot to the leader's committed fire decision")
            .labelNames(labels.names())
            .classicOnly()
            .classicUpperBounds(Buckets.LATENESS)
            .register(registry);
    startLateness =
        Histogram.builder()
            .name("raftcron_job_start_lateness_seconds")
            .unit(Unit.SECONDS)
            .help("From a run's fire decision to the start of its first attempt on a worker")
            .labelNames(labels.names())
            .classicOnly()
            .classicUpperBounds(Buckets.LATENESS)
            .register(registry);
    if (labels.perJob()) {
      lastFire = timestampGauge(registry, "raftcron_job_last_fire_timestamp_seconds", "When the job's last scheduled slot fired");
      lastSuccess = timestampGauge(registry, "raftcron_job_last_success_timestamp_seconds", "When the job's last successful attempt finished");
      lastFailure = timestampGauge(registry, "raftcron_job_last_failure_timestamp_seconds", "When the job's last failed or timed-out attempt finished");
      seed(store);
    } else {
      lastFire = lastSuccess = lastFailure = null;
    }
  }

  private static Gauge timestampGauge(PrometheusRegistry registry, String name, String help) {
    return Gauge.builder().name(name).help(help + " (Unix seconds)").labelNames(JobLabels.JOB).register(registry);
  }

  /** Last fire, success and failure times from each job's newest runs. */
  private void seed(SchedulerStore store) {
    for (Job job : store.jobs()) {
      for (Run run : store.runs(job.getSpec().getName(), SEED_RUNS_PER_JOB)) {
        if (isScheduledFire(run)) {
          setLatest(lastFire, run.getJob(), Times.toInstant(run.getFiredAt()));
        }
        run.getAttemptsList().forEach(a -> recordOutcome(run.getJob(), a.getOutcome(), a.getFinishedAt()));
      }
    }
  }

  /** Accounts for one applied entry; only what the entry changed counts, so a duplicate counts nothing. */
  void onApplied(Command command, CommandResult result) {
    Instant leaderTime = Times.toInstant(command.getLeaderTime());
    switch (command.getOpCase()) {
      case FIRE_SLOTS -> decided(command.getFireSlots().getDecisionsList(), result, leaderTime);
      case RESUME_JOB -> decided(command.getResumeJob().getDecisionsList(), result, leaderTime);
      case COMPLETE_RUNS -> AppliedRuns.completed(command, result).forEach(this::completed);
      case EXPIRE_LEASES, CANCEL_RUN -> AppliedRuns.cancelled(command, result).forEach(this::finished);
      case DELETE_JOB -> {
        if (result.getCode() == ResultCode.OK && labels.perJob()) {
          String job = command.getDeleteJob().getName();
          List.of(lastFire, lastSuccess, lastFailure).forEach(g -> g.remove(job));
        }
      }
      default -> {}
    }
  }

  private void decided(List<SlotDecision> decisions, CommandResult result, Instant leaderTime) {
    for (int i = 0; i < Math.min(decisions.size(), result.getItemsCount()); i++) {
      SlotDecision decision = decisions.get(i);
      ItemResult item = result.getItems(i);
      if (item.getCode() != ResultCode.OK) {
        continue;
      }
      String job = decision.getJob();
      if (!decision.getFire()) {
        skipped.labelValues(labels.values(job, reasonOf(decision.getSkipReason())))
            .inc(Math.max(1, decision.getSkippedCount()));
      } else if (item.getRun().getState() == RunState.SKIPPED) {
        skipped.labelValues(labels.values(job, reasonOf(item.getRun().getSkipReason()))).inc();
        finished(item.getRun());
      } else {
        fires.labelValues(labels.values(job)).inc();
        Instant slot = Times.toInstant(decision.getSlot());
        fireLateness.labelValues(labels.values(job)).observe(secondsBetween(slot, leaderTime));
        setLatest(lastFire, job, leaderTime);
      }
    }
  }

  private void completed(AppliedRuns.Completed done) {
    Completion completion = done.completion();
    Run run = done.run();
    String job = run.getJob();
    if (completion.hasStartedAt() && completion.hasFinishedAt()) {
      duration.labelValues(labels.values(job))
          .observe(secondsBetween(Times.toInstant(completion.getStartedAt()), Times.toInstant(completion.getFinishedAt())));
    }
    if (run.getAttempt() == 1 && completion.hasStartedAt() && run.hasFiredAt()) {
      startLateness.labelValues(labels.values(job))
          .observe(secondsBetween(Times.toInstant(run.getFiredAt()), Times.toInstant(completion.getStartedAt())));
    }
    RunState attemptOutcome =
        run.getAttemptsCount() == 0 ? run.getState() : run.getAttempts(run.getAttemptsCount() - 1).getOutcome();
    recordOutcome(job, attemptOutcome, completion.getFinishedAt());
    if (run.getState() == RunState.RETRY_WAIT) {
      retries.labelValues(labels.values(job)).inc();
    } else {
      finished(run);
    }
  }

  private void finished(Run run) {
    if (AppliedRuns.FINAL.contains(run.getState())) {
      finished.labelValues(labels.values(run.getJob(), run.getState().name())).inc();
    }
  }

  private void recordOutcome(String job, RunState outcome, com.google.protobuf.Timestamp at) {
    if (!labels.perJob() || !at.isInitialized() || (at.getSeconds() == 0 && at.getNanos() == 0)) {
      return;
    }
    switch (outcome) {
      case SUCCEEDED -> setLatest(lastSuccess, job, Times.toInstant(at));
      case FAILED, TIMED_OUT -> setLatest(lastFailure, job, Times.toInstant(at));
      default -> {}
    }
  }

  private void setLatest(Gauge gauge, String job, Instant at) {
    if (gauge == null) {
      return;
    }
    var child = gauge.labelValues(job);
    child.set(Math.max(child.get(), seconds(at)));
  }

  private static boolean isScheduledFire(Run run) {
    return (run.getOrigin() == RunOrigin.SCHEDULED || run.getOrigin() == RunOrigin.RUN_ORIGIN_UNSPECIFIED)
        && run.getState() != RunState.SKIPPED
        && run.hasFiredAt();
  }

  /** The reason's category: the text before its first colon ("missed", "paused", "before start", "overlap"). */
  static String reasonOf(String reason) {
    int colon = reason.indexOf(':');
    String category = (colon < 0 ? reason : reason.substring(0, colon)).trim();
    return category.isEmpty() ? "other" : category;
  }

  static double seconds(Instant at) {
    return at.getEpochSecond() + at.getNano() / 1e9;
  }

  private static double secondsBetween(Instant from, Instant to) {
    return Math.max(0, Duration.between(from, to).toNanos() / 1e9);
  }
}
