package io.raftcron.server.metrics;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
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
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-job metrics, derived from the committed entries this node applies (so every node, follower
 * or leader, exposes the same counts); the gauges read from the job records at scrape time are
 * {@link JobRecordGauges}. Nothing here scans run history on a scrape: the last fire, success and
 * failure times are kept as gauges.
 *
 * <p>The apply thread is the cluster's bottleneck, so an applied decision costs a hash lookup of
 * the job's {@link JobSeries} and adds on its data points (with per-job labels off, not even the
 * lookup). The series map is used only on jraft's one FSMCaller thread, which calls {@link
 * #onApplied}, and by the constructor, which runs before the Raft node starts. A deleted job's
 * series are removed with its entry, so a job created again under the name counts from zero.
 *
 * <p>At start, with per-job labels, the timestamp gauges are seeded from the newest {@value
 * #SEED_RUNS_PER_JOB} runs of each job, but only with at most {@value #SEED_MAX_JOBS} jobs: seeding
 * reads every job's runs, which with very many jobs would hold the node's start for minutes.
 * Above that, the gauges fill as the jobs fire and finish.
 */
final class JobMetrics {
  private static final Logger log = LoggerFactory.getLogger(JobMetrics.class);
  static final int SEED_RUNS_PER_JOB = 50;
  static final int SEED_MAX_JOBS = 10_000;

  private final JobFamilies families;
  /** With per-job labels off, the one series of every job, else null. */
  private final JobSeries shared;
  private final Map<String, JobSeries> byJob = new HashMap<>();

  JobMetrics(PrometheusRegistry registry, JobLabels labels, SchedulerStore store) {
    this.families = new JobFamilies(registry, labels);
    this.shared = labels.perJob() ? null : new JobSeries(families, "");
    if (labels.perJob()) {
      seed(store);
    }
  }

  private JobSeries series(String job) {
    return shared != null ? shared : byJob.computeIfAbsent(job, name -> new JobSeries(families, name));
  }

  /** Last fire, success and failure times from each job's newest runs, if there are not too many jobs. */
  private void seed(SchedulerStore store) {
    long count = store.jobCount();
    if (count > SEED_MAX_JOBS) {
      log.info("{} jobs: the last fire/success/failure gauges are not seeded from run history (at most {} jobs are)",
          count, SEED_MAX_JOBS);
      return;
    }
    List<Job> jobs = store.jobs();
    for (Job job : jobs) {
      for (Run run : store.runs(job.getSpec().getName(), SEED_RUNS_PER_JOB)) {
        if (isScheduledFire(run)) {
          series(run.getJob()).fired(Times.toInstant(run.getFiredAt()));
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
        if (result.getCode() == ResultCode.OK && shared == null) {
          JobSeries deleted = byJob.remove(command.getDeleteJob().getName());
          if (deleted != null) {
            deleted.remove();
          }
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
      JobSeries series = series(decision.getJob());
      if (!decision.getFire()) {
        series.skipped(reasonOf(decision.getSkipReason())).inc(Math.max(1, decision.getSkippedCount()));
      } else if (item.getRun().getState() == RunState.SKIPPED) {
        series.skipped(reasonOf(item.getRun().getSkipReason())).inc();
        finished(item.getRun());
      } else {
        series.fires().inc();
        series.fireLateness().observe(Buckets.secondsBetween(Times.toInstant(decision.getSlot()), leaderTime));
        series.fired(leaderTime);
      }
    }
  }

  private void completed(AppliedRuns.Completed done) {
    Completion completion = done.completion();
    Run run = done.run();
    String job = run.getJob();
    JobSeries series = series(job);
    if (completion.hasStartedAt() && completion.hasFinishedAt()) {
      series.duration()
          .observe(Buckets.secondsBetween(Times.toInstant(completion.getStartedAt()), Times.toInstant(completion.getFinishedAt())));
    }
    if (run.getAttempt() == 1 && completion.hasStartedAt() && run.hasFiredAt()) {
      series.startLateness()
          .observe(Buckets.secondsBetween(Times.toInstant(run.getFiredAt()), Times.toInstant(completion.getStartedAt())));
    }
    RunState attemptOutcome =
        run.getAttemptsCount() == 0 ? run.getState() : run.getAttempts(run.getAttemptsCount() - 1).getOutcome();
    recordOutcome(job, attemptOutcome, completion.getFinishedAt());
    if (run.getState() == RunState.RETRY_WAIT) {
      series.retries().inc();
    } else {
      finished(run);
    }
  }

  private void finished(Run run) {
    if (AppliedRuns.FINAL.contains(run.getState())) {
      series(run.getJob()).finished(run.getState()).inc();
    }
  }

  private void recordOutcome(String job, RunState outcome, com.google.protobuf.Timestamp at) {
    if (!at.isInitialized() || (at.getSeconds() == 0 && at.getNanos() == 0)) {
      return;
    }
    switch (outcome) {
      case SUCCEEDED -> series(job).succeeded(Times.toInstant(at));
      case FAILED, TIMED_OUT -> series(job).failed(Times.toInstant(at));
      default -> {}
    }
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
}
