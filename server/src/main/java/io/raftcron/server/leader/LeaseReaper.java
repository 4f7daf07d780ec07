package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.ExpireLeases;
import io.raftcron.proto.LeaseExpiry;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Puts runs whose lease ran out back in the queue, through a committed ExpireLeases entry that
 * names the lease's fencing token (so a completion that won the race is not undone). A new leader
 * cannot know how recently a worker was heard from, so it gives every lease at least one full
 * lease period from its own start. Runs only on the leader's executor thread.
 */
final class LeaseReaper {
  private record Lease(long token, Instant deadline) {}

  private final long term;
  private final SchedulerStore store;
  private final Proposer proposer;
  private final InstantSource clock;
  private final Instant graceUntil;
  private final ScheduledExecutorService executor;
  private final Map<String, Lease> leases = new HashMap<>();
  private final Set<String> expiring = new HashSet<>();
  private ScheduledFuture<?> timer;
  private boolean closed;

  LeaseReaper(
      long term,
      SchedulerStore store,
      Proposer proposer,
      InstantSource clock,
      Duration leaseDuration,
      ScheduledExecutorService executor) {
    this.term = term;
    this.store = store;
    this.proposer = proposer;
    this.clock = clock;
    this.graceUntil = clock.instant().plus(leaseDuration);
    this.executor = executor;
  }

  void start() {
    store.leasedRuns().forEach(this::track);
    rearm();
  }

  /** The run was leased, completed or expired: re-read it. */
  void runChanged(String runId) {
    if (closed) {
      return;
    }
    RunIds.RunRef ref = RunIds.parse(runId);
    leases.remove(runId);
    if (ref != null) {
      store.run(ref.job(), ref.slot()).ifPresent(this::track);
    }
    rearm();
  }

  void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void track(Run run) {
    if (run.getState() != RunState.LEASED) {
      return;
    }
    Instant deadline = Times.toInstant(run.getLeaseDeadline());
    leases.put(
        run.getRunId(),
        new Lease(run.getFencingToken(), deadline.isAfter(graceUntil) ? deadline : graceUntil));
  }

  private void rearm() {
    if (closed) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    leases.entrySet().stream()
        .filter(e -> !expiring.contains(e.getKey()))
        .map(e -> e.getValue().deadline())
        .min(Instant::compareTo)
        .ifPresent(
            first -> {
              long delayMs = Math.max(0, Duration.between(clock.instant(), first).toMillis());
              timer = executor.schedule(this::expireDue, delayMs, TimeUnit.MILLISECONDS);
            });
  }

  private void expireDue() {
    if (closed) {
      return;
    }
    Instant now = clock.instant();
    ExpireLeases.Builder expiries = ExpireLeases.newBuilder();
    leases.forEach(
        (runId, lease) -> {
          if (!lease.deadline().isAfter(now) && !expiring.contains(runId)) {
            expiries.addExpiries(
                LeaseExpiry.newBuilder().setRunId(runId).setFencingToken(lease.token()));
          }
        });
    List<String> runIds = expiries.getExpiriesList().stream().map(LeaseExpiry::getRunId).toList();
    if (runIds.isEmpty()) {
      rearm();
      return;
    }
    expiring.addAll(runIds);
    proposer
        .propose(term, Command.newBuilder().setExpireLeases(expiries))
        .whenCompleteAsync(
            (result, failure) -> {
              runIds.forEach(expiring::remove);
              runIds.forEach(this::runChanged);
            },
            executor);
  }
}
