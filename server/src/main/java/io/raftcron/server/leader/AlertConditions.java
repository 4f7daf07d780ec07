package io.raftcron.server.leader;

import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.Attempt;
import io.raftcron.proto.Job;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which built-in alerts should be firing now, evaluated from the committed state, the leader's
 * clock and the workers it has heard from. One alert per kind and job (its id), so the alert
 * records stay bounded by the number of jobs.
 */
final class AlertConditions {
  /** Successful attempts that make a job's usual duration. */
  static final int USUAL_DURATION_SAMPLE = 20;
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
    return kind.name().toLowerCase(Locale.ROOT).replace('_', '-') + "/" + job;
  }

  /** @param workersSilentFor how long no worker has been heard from */
  Map<String, Alert> firing(Instant now, Duration workersSilentFor) {
    Map<String, Alert> firing = new LinkedHashMap<>();
    for (Job job : store.jobs()) {
      String name = job.getSpec().getName();
      failing(name).ifPresent(a -> firing.put(a.getId(), a));
      missed(name).ifPresent(a -> firing.put(a.getId(), a));
    }
    for (Run run : store.leasedRuns()) {
      stuck(run, now).ifPresent(a -> firing.putIfAbsent(a.getId(), a));
    }
    if (workersSilentFor.compareTo(rules.noWorkersAfter()) >= 0) {
      for (Run run : store.queuedRuns(1000)) {
        Alert alert = alert(AlertKind.NO_WORKERS, run.getJob(), run.getRunId(),
            "run " + run.getRunId() + " is queued and no worker has polled the leader for "
                + workersSilentFor.toSeconds() + " s");
        firing.putIfAbsent(alert.getId(), alert);
      }
    }
    return firing;
  }

  private Optional<Alert> failing(String job) {
    int n = rules.failuresInARow();
    List<Run> newest = store.runs(job, n, run -> FINISHED.contains(run.getState()));
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

  private Optional<Alert> stuck(Run run, Instant now) {
    if (!run.hasLeasedAt()) {
      return Optional.empty();
    }
    Duration leased = Duration.between(Times.toInstant(run.getLeasedAt()), now);
    Duration timeout = Duration.ofSeconds(run.getTimeout().getSeconds(), run.getTimeout().getNanos());
    if (!timeout.isZero() && leased.compareTo(timeout.plus(leaseDuration)) > 0) {
      return Optional.of(stuckAlert(run, leased, "past its timeout of " + timeout.toSeconds() + " s"));
    }
    Optional<Duration> usual = usualDuration(run.getJob());
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
        store.runs(job, USUAL_DURATION_SAMPLE, run -> run.getState() == RunState.SUCCEEDED && run.getAttemptsCount() > 0)
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
    return Alert.newBuilder().setId(idOf(kind, job)).setKind(kind).setJob(job).setRunId(runId).setDetail(detail).build();
  }
}
