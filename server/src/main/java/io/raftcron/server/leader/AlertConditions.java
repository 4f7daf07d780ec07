package io.raftcron.server.leader;

import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.AlertState;
import io.raftcron.proto.Attempt;
import io.raftcron.proto.Job;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which built-in alerts should be firing now, evaluated from the committed state, the leader's
 * clock and the workers it has heard from. One alert per kind and job (its id), so the alert
 * records stay bounded by the number of jobs, except NO_WORKERS: one for the cluster, since workers
 * serve every job alike. The per-job conditions (failing job, missed slots) depend on the committed
 * state only, so {@link JobAlerts} keeps them and re-evaluates a job only when it changes; the
 * other conditions (stuck, no workers) depend on the time and are evaluated each check, over the
 * leased runs and the head of the queue.
 */
final class AlertConditions {
  /** Successful attempts that make a job's usual duration. */
  static final int USUAL_DURATION_SAMPLE = 20;
  /**
   * Runs of a job read at most per history scan, so that a job with a long row of unfinished runs
   * (queued, no worker) costs a bounded scan: it is failing only if its newest N finished runs are
   * among its newest this many runs.
   */
  static final int RUN_SCAN_LIMIT = 1000;
  /**
   * Queued runs the no-workers alert counts at most: a check counts them every few seconds while
   * no worker is heard from, and a queue that grows meanwhile must not make it a long scan.
   */
  static final int NO_WORKERS_COUNT_LIMIT = 10_000;
  private static final Set<RunState> FINISHED = Set.of(RunState.SUCCEEDED, RunState.FAILED, RunState.TIMED_OUT);

  private final SchedulerStore store;
  private final AlertRules rules;
  private final Duration leaseDuration;

  AlertConditions(SchedulerStore store, AlertRules rules, Duration leaseDuration) {
    this.store = store;
    this.rules = rules;
    this.leaseDuration = leaseDuration;
  }

  static String idOf(AlertKind kind, String job) {
    return idOf(kind) + "/" + job;
  }

  /** The id of a cluster-wide alert: its kind in lower case with dashes. */
  static String idOf(AlertKind kind) {
    return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /**
   * Every alert that should be firing, each job evaluated afresh: what {@link JobAlerts} keeps
   * incrementally must equal this.
   *
   * @param workersSilentFor how long no worker has been heard from
   */
  Map<String, Alert> firing(Instant now, Duration workersSilentFor) {
    List<Alert> jobAlerts = new ArrayList<>();
    for (Job job : store.jobs()) {
      jobAlerts.addAll(ofJob(job.getSpec().getName()));
    }
    return firing(now, workersSilentFor, jobAlerts);
  }

  /** The alerts firing given the per-job ones, {@code jobAlerts}, with the run conditions now. */
  Map<String, Alert> firing(Instant now, Duration workersSilentFor, Collection<Alert> jobAlerts) {
    Map<String, Alert> firing = new LinkedHashMap<>();
    jobAlerts.forEach(a -> firing.put(a.getId(), a));
    Map<String, Optional<Duration>> usualByJob = new HashMap<>(); // one scan per job and check
    for (Run run : store.leasedRuns()) {
      stuck(run, now, usualByJob).ifPresent(a -> firing.putIfAbsent(a.getId(), a));
    }
    if (workersSilentFor.compareTo(rules.noWorkersAfter()) >= 0) {
      noWorkers(workersSilentFor).ifPresent(a -> firing.put(a.getId(), a));
    }
    return firing;
  }

  /**
   * One alert while anything is queued, however many runs and jobs wait (one per run or job would
   * commit and deliver thousands at once); it names the run due first and its job, as they are
   * when it is raised: a firing alert is not rewritten, so while it fires the queue is not counted.
   */
  private Optional<Alert> noWorkers(Duration workersSilentFor) {
    List<Run> head = store.queuedRuns(1);
    if (head.isEmpty()) {
      return Optional.empty();
    }
    String id = idOf(AlertKind.NO_WORKERS);
    Optional<Alert> raised = store.alert(id).filter(alert -> alert.getState() == AlertState.FIRING);
    if (raised.isPresent()) {
      return raised;
    }
    Run oldest = head.get(0);
    return Optional.of(alert(id, AlertKind.NO_WORKERS, oldest.getJob(), oldest.getRunId(),
        queuedCount() + " run(s) queued, the first due " + oldest.getRunId()
            + ", and no worker has polled the leader for " + workersSilentFor.toSeconds() + " s"));
  }

  private String queuedCount() {
    int queued = store.queuedCount(NO_WORKERS_COUNT_LIMIT);
    return queued < NO_WORKERS_COUNT_LIMIT ? Integer.toString(queued) : NO_WORKERS_COUNT_LIMIT + " or more";
  }

  /** The job's failing-job and missed-slots alerts that should be firing (it must exist). */
  List<Alert> ofJob(String job) {
    List<Alert> alerts = new ArrayList<>(2);
    failing(job).ifPresent(alerts::add);
    missed(job).ifPresent(alerts::add);
    return alerts;
  }

  private Optional<Alert> failing(String job) {
    int n = rules.failuresInARow();
    List<Run> newest = store.runs(job, n, RUN_SCAN_LIMIT, run -> FINISHED.contains(run.getState()));
    if (newest.size() < n || newest.stream().anyMatch(run -> run.getState() == RunState.SUCCEEDED)) {
      return Optional.empty();
    }
    Run last = newest.get(0);
    return Optional.of(alert(AlertKind.FAILING_JOB, job, last.getRunId(),
        "the last " + n + " runs failed; the newest, " + last.getRunId() + ", ended " + last.getState()
            + (last.getError().isEmpty() ? "" : ": " + last.getError())));
  }

  private Optional<Alert> missed(String job) {
    List<SkippedSlots> newestSkip = store.skipped(job, 1);
    if (newestSkip.isEmpty() || !newestSkip.get(0).getReason().startsWith("missed")) {
      return Optional.empty();
    }
    SkippedSlots skip = newestSkip.get(0);
    Instant through = Times.toInstant(skip.getThrough());
    List<Run> newestRun = store.runs(job, 1);
    if (!newestRun.isEmpty() && !Times.toInstant(newestRun.get(0).getSlot()).isBefore(through)) {
      return Optional.empty(); // a later slot fired: the schedule is back on time
    }
    return Optional.of(alert(AlertKind.MISSED_SLOTS, job, "",
        skip.getCount() + " slot(s) through " + through + " were skipped: " + skip.getReason()));
  }

  private Optional<Alert> stuck(Run run, Instant now, Map<String, Optional<Duration>> usualByJob) {
    if (!run.hasLeasedAt()) {
      return Optional.empty();
    }
    Duration leased = Duration.between(Times.toInstant(run.getLeasedAt()), now);
    Duration timeout = Duration.ofSeconds(run.getTimeout().getSeconds(), run.getTimeout().getNanos());
    if (!timeout.isZero() && leased.compareTo(timeout.plus(leaseDuration)) > 0) {
      return Optional.of(stuckAlert(run, leased, "past its timeout of " + timeout.toSeconds() + " s"));
    }
    if (leased.compareTo(rules.stuckMinimum()) <= 0) {
      return Optional.empty(); // below every limit: no need to read the job's history for its usual duration
    }
    Optional<Duration> usual = usualByJob.computeIfAbsent(run.getJob(), this::usualDuration);
    if (usual.isPresent()) {
      Duration limit = usual.get().multipliedBy((long) Math.ceil(rules.stuckFactor()));
      if (limit.compareTo(rules.stuckMinimum()) < 0) {
        limit = rules.stuckMinimum();
      }
      if (leased.compareTo(limit) > 0) {
        return Optional.of(stuckAlert(run, leased, "far beyond the job's usual " + usual.get().toMillis() + " ms"));
      }
    }
    return Optional.empty();
  }

  private Alert stuckAlert(Run run, Duration leased, String why) {
    return alert(AlertKind.STUCK_RUN, run.getJob(), run.getRunId(),
        "run " + run.getRunId() + " has been leased to " + run.getWorker() + " for " + leased.toSeconds() + " s, " + why);
  }

  /** The median duration of the job's recent successful attempts, if it has any. */
  private Optional<Duration> usualDuration(String job) {
    List<Duration> durations =
        store.runs(job, USUAL_DURATION_SAMPLE, RUN_SCAN_LIMIT,
                run -> run.getState() == RunState.SUCCEEDED && run.getAttemptsCount() > 0)
            .stream()
            .map(run -> run.getAttempts(run.getAttemptsCount() - 1))
            .filter(a -> a.hasStartedAt() && a.hasFinishedAt())
            .map(AlertConditions::durationOf)
            .sorted()
            .toList();
    return durations.isEmpty() ? Optional.empty() : Optional.of(durations.get(durations.size() / 2));
  }

  private static Duration durationOf(Attempt attempt) {
    return Duration.between(Times.toInstant(attempt.getStartedAt()), Times.toInstant(attempt.getFinishedAt()));
  }

  private static Alert alert(AlertKind kind, String job, String runId, String detail) {
    return alert(idOf(kind, job), kind, job, runId, detail);
  }

  private static Alert alert(String id, AlertKind kind, String job, String runId, String detail) {
    return Alert.newBuilder().setId(id).setKind(kind).setJob(job).setRunId(runId).setDetail(detail).build();
  }
}
