package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Completion;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.LeaseRef;
import io.raftcron.proto.LeaseState;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Everything a node does while it leads one term: fire due slots, lease runs to workers, expire
 * leases. Created on {@code onLeaderStart(term)} from the committed state, closed on step-down.
 * All methods run on the single leader executor thread.
 */
public final class LeaderSession {
  private final FireScheduler fires;
  private final RunDispatcher dispatcher;
  private final LeaseReaper reaper;
  private final RetentionSweeper sweeper;
  private final RetryScheduler retries;
  private final LeaderTerm leader;
  private final AlertDetector alerts;
  private final CompletionBatcher completions;

  public LeaderSession(
      long term,
      SchedulerStore store,
      Proposer proposer,
      InstantSource clock,
      Duration leaseDuration,
      ScheduledExecutorService executor,
      AlertSetup alertSetup,
      WorkerTracker workers) {
    this.leader = new LeaderTerm(term, store, proposer, clock, executor);
    this.fires = new FireScheduler(leader);
    this.dispatcher = new RunDispatcher(leader, leaseDuration);
    this.reaper = new LeaseReaper(leader, leaseDuration);
    this.sweeper = new RetentionSweeper(leader);
    this.retries = new RetryScheduler(leader, new SplittableRandom());
    this.alerts =
        new AlertDetector(
            leader,
            new AlertConditions(store, alertSetup.rules(), leaseDuration),
            alertSetup.rules(),
            workers,
            alertSetup.webhook(),
            alertSetup.nodeId());
    this.completions = new CompletionBatcher(leader);
  }

  public void start() {
    fires.start();
    sweeper.start();
    reaper.start();
    retries.start();
    alerts.start();
    dispatcher.queueChanged();
  }

  public void poll(String worker, int maxRuns, Duration wait, CompletableFuture<List<Run>> reply) {
    dispatcher.poll(worker, maxRuns, wait, reply);
  }

  /** A worker's heartbeat: extends its current leases in memory; says which are lost or cancelled. */
  public List<LeaseState> heartbeat(List<LeaseRef> leases) {
    return reaper.heartbeat(leases);
  }

  /** Proposes a worker's completion, with the next attempt time if the attempt is retried. */
  public CompletableFuture<CommandResult> complete(Completion completion) {
    return completions.submit(retries.stamp(completion));
  }

  /** Keeps the leader's indexes in step with what was committed. */
  public void onApplied(Command command, CommandResult result) {
    alerts.onApplied(command, result);
    reportQueued(result);
    switch (command.getOpCase()) {
      case PUT_JOB -> specChanged(command.getPutJob().getSpec().getName());
      case DELETE_JOB -> specChanged(command.getDeleteJob().getName());
      case FIRE_SLOTS -> {
        command.getFireSlots().getDecisionsList().stream()
            .map(SlotDecision::getJob)
            .distinct()
            .forEach(fires::fired);
      }
      case GRANT_LEASES, EXPIRE_LEASES -> runsChanged(result);
      case COMPLETE_RUNS -> {
        runsChanged(result);
        retries.retriesChanged();
        dispatcher.queueChanged(); // a FORBID or BUFFER_ONE job may have a run to lease now
      }
      case CANCEL_RUN -> {
        runsChanged(result);
        retries.retriesChanged();
      }
      case REQUEUE_RETRIES -> retries.retriesChanged();
      case PAUSE_JOB -> fires.jobChanged(command.getPauseJob().getName());
      case RESUME_JOB -> fires.jobChanged(command.getResumeJob().getName());
      case TRIGGER_JOB, BACKFILL_JOB -> {}
      case PURGE_RUNS, RAISE_ALERTS, RESOLVE_ALERTS, MARK_ALERTS_NOTIFIED -> {}
      case REGISTER_NODE, OP_NOT_SET -> {}
    }
  }

  /** The job was created, updated or deleted: its schedule and overlap policy may differ. */
  private void specChanged(String job) {
    fires.jobChanged(job);
    dispatcher.jobChanged(job);
  }

  /**
   * Tells the dispatcher about every run the command left queued: a command that queues a run (a
   * fire, a resume's decisions, a trigger, a backfill, an expired lease, a retry) carries it in its
   * result items.
   */
  private void reportQueued(CommandResult result) {
    for (ItemResult item : result.getItemsList()) {
      if (item.hasRun() && item.getRun().getState() == RunState.QUEUED) {
        dispatcher.queued(Times.toInstant(item.getRun().getSlot()));
      }
    }
  }

  /** Tells the lease reaper how the command left each run it changed (a refused item changed none). */
  private void runsChanged(CommandResult result) {
    for (ItemResult item : result.getItemsList()) {
      if (item.hasRun()) {
        reaper.runChanged(item.getRun());
      }
    }
  }

  public void close() {
    completions.close();
    fires.close();
    sweeper.close();
    dispatcher.close();
    reaper.close();
    retries.close();
    alerts.close();
  }
}
