package io.raftcron.server.leader;

import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.LeaseExpiry;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.SkippedRef;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.store.SchedulerStore;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The per-job alerts (failing job, missed slots) as last evaluated, kept current incrementally so
 * that an alert check costs what changed since the last one, not the number of jobs: applied
 * commands mark the jobs whose conditions they may change, and a check re-evaluates only those.
 * A term starts with one pass over every job, a page at a time. Runs only on the leader's executor
 * thread.
 */
final class JobAlerts {
  private final SchedulerStore store;
  private final AlertConditions conditions;
  /** Only the jobs with an alert: the others hold none. */
  private final SortedMap<String, List<Alert>> byJob = new TreeMap<>();
  private final Set<String> changed = new HashSet<>();
  /** The last job of the initial pass evaluated so far. */
  private String passedThrough = "";
  private boolean loaded;
  private long evaluations;

  JobAlerts(SchedulerStore store, AlertConditions conditions) {
    this.store = store;
    this.conditions = conditions;
  }

  /** Evaluates the next {@code pageSize} jobs of the initial pass; true once every job was. */
  boolean loadNext(int pageSize) {
    if (!loaded) {
      List<String> page = store.jobNames(passedThrough, pageSize);
      page.forEach(this::evaluate);
      if (page.size() < pageSize) {
        loaded = true;
      } else {
        passedThrough = page.get(page.size() - 1);
      }
    }
    return loaded;
  }

  /**
   * Re-evaluates, in steps, the jobs changed so far, before a check asks for {@link #current}: a
   * burst of changes (10 000 jobs created at once took 360 ms in one piece) is spread over several
   * tasks. Jobs changed after this call are left to the check, so that jobs changing faster than
   * they are evaluated cannot hold it off.
   */
  LeaderTerm.Steps changedSoFar() {
    Iterator<String> jobs = List.copyOf(changed).iterator();
    return timeUp -> {
      while (jobs.hasNext()) {
        String job = jobs.next();
        if (changed.contains(job)) {
          reevaluate(job);
          changed.remove(job); // after: a job whose evaluation failed stays marked, as in current()
        }
        if (timeUp.getAsBoolean()) {
          break;
        }
      }
      return !jobs.hasNext();
    };
  }

  /**
   * The per-job alerts that should be firing, in job order, after re-evaluating the jobs changed
   * since the last call. Only once the initial pass is done: before, jobs not yet evaluated would
   * look healthy.
   */
  List<Alert> current() {
    if (!loaded) {
      throw new IllegalStateException("the initial pass over the jobs is not done");
    }
    changed.forEach(this::reevaluate);
    changed.clear();
    List<Alert> alerts = new ArrayList<>();
    byJob.values().forEach(alerts::addAll);
    return alerts;
  }

  /** Marks the jobs whose failing or missed-slots condition the applied command may change. */
  void onApplied(Command command, CommandResult result) {
    switch (command.getOpCase()) {
      case PUT_JOB -> changed.add(command.getPutJob().getSpec().getName());
      case DELETE_JOB -> changed.add(command.getDeleteJob().getName());
      case FIRE_SLOTS -> {
        // A skip may start a missed-slots alert; any later slot, fired or skipped, may end one.
        command.getFireSlots().getDecisionsList().stream()
            .filter(d -> !d.getFire() || hasAlert(d.getJob(), AlertKind.MISSED_SLOTS))
            .map(SlotDecision::getJob)
            .forEach(changed::add);
        result.getItemsList().stream()
            .map(ItemResult::getRun)
            .filter(run -> run.getState() == RunState.SKIPPED)
            .map(Run::getJob)
            .forEach(changed::add);
      }
      case COMPLETE_RUNS -> completed(result);
      case EXPIRE_LEASES ->
          runsChanged(command.getExpireLeases().getExpiriesList().stream().map(LeaseExpiry::getRunId));
      case CANCEL_RUN -> runsChanged(Stream.of(command.getCancelRun().getRunId()));
      case REQUEUE_RETRIES -> runsChanged(command.getRequeueRetries().getRunIdsList().stream());
      case PURGE_RUNS -> {
        runsChanged(command.getPurgeRuns().getRunIdsList().stream());
        command.getPurgeRuns().getSkippedList().stream().map(SkippedRef::getJob).forEach(changed::add);
      }
      case TRIGGER_JOB -> changed.add(command.getTriggerJob().getName());
      case BACKFILL_JOB -> changed.add(command.getBackfillJob().getName());
      case RESUME_JOB -> changed.add(command.getResumeJob().getName());
      default -> {} // no other command changes a job's runs or skipped ranges
    }
  }

  /** How many jobs were evaluated this term (tests see that a quiet check evaluates none). */
  long evaluations() {
    return evaluations;
  }

  private void runsChanged(Stream<String> runIds) {
    runIds.map(RunIds::parse).filter(ref -> ref != null).map(RunIds.RunRef::job).forEach(changed::add);
  }

  /**
   * A completion that leaves its run SUCCEEDED cannot start a job's failing condition (it adds a
   * success, or with the fencing safeguard off turns a failure into one); it may end it. So the
   * successes of healthy jobs, nearly all completions, mark nothing: marking every completed job
   * had each check re-read the recent runs of every job that ran since the last (28 % of the
   * leader thread at 5000 runs/s).
   */
  private void completed(CommandResult result) {
    for (ItemResult item : result.getItemsList()) {
      Run run = item.getRun();
      if (item.hasRun()
          && (run.getState() != RunState.SUCCEEDED || hasAlert(run.getJob(), AlertKind.FAILING_JOB))) {
        changed.add(run.getJob());
      }
    }
  }

  private boolean hasAlert(String job, AlertKind kind) {
    return byJob.getOrDefault(job, List.of()).stream().anyMatch(a -> a.getKind() == kind);
  }

  private void reevaluate(String job) {
    if (store.job(job).isPresent()) {
      evaluate(job);
    } else {
      byJob.remove(job); // deleted: its alerts are no longer wanted, so they resolve
    }
  }

  private void evaluate(String job) {
    evaluations++;
    List<Alert> alerts = conditions.ofJob(job);
    if (alerts.isEmpty()) {
      byJob.remove(job);
    } else {
      byJob.put(job, alerts);
    }
  }
}
