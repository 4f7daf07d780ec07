package io.raftcron.server.leader;

import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertEvent;
import io.raftcron.proto.AlertNotice;
import io.raftcron.proto.AlertState;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.MarkAlertsNotified;
import io.raftcron.proto.RaiseAlerts;
import io.raftcron.proto.ResolveAlerts;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's alert loop. Every check interval it evaluates the alert conditions, proposes the
 * alerts that start firing and those that stop (committed, so a new leader knows them), then
 * delivers the transitions not yet delivered to the webhook, FIRING before RESOLVED, and commits a
 * "notified" mark for each delivery. A leader that fails between a delivery and its mark leaves it
 * unmarked, and the next leader delivers it again: delivery is at least once. Runs only on the
 * leader's executor thread.
 *
 * <p>The per-job conditions are kept by {@link JobAlerts}: the detector first passes over every job
 * a page at a time (other leader work runs between pages), then checks.
 */
final class AlertDetector {
  private static final Logger log = LoggerFactory.getLogger(AlertDetector.class);
  /**
   * Jobs evaluated per page of the initial pass, pages going on for a slice of the leader's
   * executor: a job's check reads its unfinished runs, so a page's cost grows with the backlog (200
   * jobs with a minute of queued runs each took 30-45 ms, delaying the next slot's fires as long).
   */
  private static final int PASS_PAGE = 10;

  private final LeaderTerm leader;
  private final AlertConditions conditions;
  private final JobAlerts jobAlerts;
  private final AlertRules rules;
  private final WorkerTracker workers;
  private final Optional<AlertWebhook> webhook;
  private final String nodeId;
  private final Instant leadingSince;
  private final Set<String> delivering = new HashSet<>();
  private ScheduledFuture<?> timer;
  private boolean closed;

  AlertDetector(
      LeaderTerm leader,
      AlertConditions conditions,
      AlertRules rules,
      WorkerTracker workers,
      Optional<AlertWebhook> webhook,
      String nodeId) {
    this.leader = leader;
    this.conditions = conditions;
    this.jobAlerts = new JobAlerts(leader.store(), conditions);
    this.rules = rules;
    this.workers = workers;
    this.webhook = webhook;
    this.nodeId = nodeId;
    this.leadingSince = leader.clock().instant();
  }

  void start() {
    passOverJobs();
  }

  /** See {@link JobAlerts#onApplied}. */
  void onApplied(Command command, CommandResult result) {
    jobAlerts.onApplied(command, result);
  }

  /** The initial pass, in slices with other leader work between; then the checks. */
  private void passOverJobs() {
    leader
        .inSlices(
            timeUp -> {
              boolean done;
              do {
                done = jobAlerts.loadNext(PASS_PAGE);
              } while (!done && !timeUp.getAsBoolean());
              return done;
            },
            () -> !closed)
        .whenComplete(
            (passed, failure) -> {
              if (closed) {
                return;
              }
              if (failure == null) {
                schedule();
              } else {
                log.warn("alert pass over the jobs failed, trying again later: {}", failure.toString());
                leader.executor().schedule(this::passOverJobs, rules.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
              }
            });
  }

  void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void schedule() {
    if (!closed) {
      timer = leader.executor().schedule(this::check, rules.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** Re-evaluates the jobs changed since the last check, in slices; then proposes and delivers. */
  private void check() {
    leader
        .inSlices(jobAlerts.changedSoFar(), () -> !closed)
        .thenCompose(evaluated -> proposeChanges(leader.clock().instant()))
        .whenCompleteAsync(
            (ignored, failure) -> {
              if (closed) {
                return;
              }
              if (failure != null) {
                LeaderTerm.logFailure(log, "alert check", failure);
              }
              deliverPending();
              schedule();
            },
            leader.executor());
  }

  private CompletableFuture<?> proposeChanges(Instant now) {
    Map<String, Alert> wanted = conditions.firing(now, workersSilentFor(now), jobAlerts.current());
    Set<String> firing = new HashSet<>();
    for (Alert alert : leader.store().alerts()) {
      if (alert.getState() == AlertState.FIRING) {
        firing.add(alert.getId());
      }
    }
    List<Alert> raise = wanted.values().stream().filter(a -> !firing.contains(a.getId())).toList();
    List<String> resolve = firing.stream().filter(id -> !wanted.containsKey(id)).sorted().toList();
    List<CompletableFuture<?>> proposals = new ArrayList<>();
    if (!raise.isEmpty()) {
      raise.forEach(a -> log.warn("alert {} firing: {}", a.getId(), a.getDetail()));
      proposals.add(leader.propose(Command.newBuilder().setRaiseAlerts(RaiseAlerts.newBuilder().addAllAlerts(raise))));
    }
    if (!resolve.isEmpty()) {
      log.info("alerts resolved: {}", resolve);
      proposals.add(leader.propose(Command.newBuilder().setResolveAlerts(ResolveAlerts.newBuilder().addAllIds(resolve))));
    }
    return CompletableFuture.allOf(proposals.toArray(CompletableFuture[]::new));
  }

  /** How long no worker has been heard from (this leader cannot know of contacts before it led). */
  private Duration workersSilentFor(Instant now) {
    Instant last = workers.lastContact().filter(t -> t.isAfter(leadingSince)).orElse(leadingSince);
    return Duration.between(last, now);
  }

  /** Sends each alert's next undelivered transition, one delivery per alert at a time. */
  private void deliverPending() {
    if (webhook.isEmpty()) {
      return;
    }
    for (Alert alert : leader.store().alerts()) {
      Optional<AlertState> due = undelivered(alert);
      if (due.isPresent() && delivering.add(alert.getId())) {
        deliver(alert, due.get());
      }
    }
  }

  static Optional<AlertState> undelivered(Alert alert) {
    if (!alert.getNotifiedFiring()) {
      return Optional.of(AlertState.FIRING);
    }
    if (alert.getState() == AlertState.RESOLVED && !alert.getNotifiedResolved()) {
      return Optional.of(AlertState.RESOLVED);
    }
    return Optional.empty();
  }

  private void deliver(Alert alert, AlertState transition) {
    AlertEvent event = AlertEvent.newBuilder().setTransition(transition).setAlert(alert).setClusterLeader(nodeId).build();
    webhook.get()
        .post(event)
        .thenComposeAsync(
            delivered ->
                leader.propose(
                    Command.newBuilder()
                        .setMarkAlertsNotified(
                            MarkAlertsNotified.newBuilder()
                                .addNotices(
                                    AlertNotice.newBuilder()
                                        .setId(alert.getId())
                                        .setRaisedIndex(alert.getRaisedIndex())
                                        .setState(transition)))),
            leader.executor())
        .whenCompleteAsync(
            (result, failure) -> {
              delivering.remove(alert.getId());
              if (failure != null && LeaderTerm.endedBy(failure)) {
                // Delivered or not, it stays unmarked: the next leader delivers it (at least once).
                log.info("{} of alert {} not marked delivered as this node stopped leading: {}", transition,
                    alert.getId(), failure.getMessage());
              } else if (failure != null) {
                log.warn("webhook {} did not take {} of alert {}: {}", webhook.get(), transition, alert.getId(), failure.toString());
              }
            },
            leader.executor());
  }
}
