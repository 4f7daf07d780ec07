package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.ExpireLeases;
import io.raftcron.proto.LeaseExpiry;
import io.raftcron.proto.LeaseRef;
import io.raftcron.proto.LeaseState;
import io.raftcron.proto.LeaseStatus;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/**
 * Keeps the leases of one term: heartbeats extend them in memory (never in the log), and a lease
 * that runs out puts its run back in the queue through a committed ExpireLeases entry that names
 * the lease's fencing token (so a completion that won the race is not undone; a run whose cancel
 * was requested ends CANCELLED instead). A new leader cannot know how recently a worker was heard
 * from, so it gives every lease at least one full lease period from its own start. Runs only on
 * the leader's executor thread.
 */
final class LeaseReaper {
  private record Lease(long token, Instant deadline) {}

  /** A deadline in the queue: live while it is its run's current lease deadline (see {@link #live}). */
  private record Due(Instant at, String runId) {}

  private final LeaderTerm leader;
  private final Duration leaseDuration;
  private final Instant graceUntil;
  private final Map<String, Lease> leases = new HashMap<>();
  private final Set<String> expiring = new HashSet<>();
  // Every deadline set, earliest first; superseded ones are dropped when they reach the head, so
  // finding the next expiry does not scan every lease at every grant, completion and heartbeat.
  private final PriorityQueue<Due> deadlines = new PriorityQueue<>(Comparator.comparing(Due::at));
  private ScheduledFuture<?> timer;
  private Instant timerAt;
  private boolean closed;

  LeaseReaper(LeaderTerm leader, Duration leaseDuration) {
    this.leader = leader;
    this.leaseDuration = leaseDuration;
    this.graceUntil = leader.clock().instant().plus(leaseDuration);
  }

  void start() {
    leader.store().leasedRuns().forEach(this::track);
    rearm();
  }

  /**
   * A committed entry leased, completed, expired or cancelled the run and left it as {@code run}
   * (the entry's result: applied entries come in log order, so the last one leaves the run as the
   * store has it, without a read per run).
   */
  void runChanged(Run run) {
    if (closed) {
      return;
    }
    String runId = run.getRunId();
    Lease before = leases.remove(runId);
    track(run);
    // A heartbeat's extension survives changes that keep the lease (a cancel request).
    Lease after = leases.get(runId);
    if (before != null && after != null && before.token() == after.token()
        && before.deadline().isAfter(after.deadline())) {
      put(runId, before);
    }
    rearm();
  }

  /** As {@link #runChanged(Run)}, for a run read from the store (a run that is gone holds no lease). */
  private void reread(String runId) {
    leader.store().run(runId).ifPresentOrElse(this::runChanged, () -> leases.remove(runId));
  }

  /**
   * A worker's heartbeat: each lease it names is extended to a full lease period from now if it
   * is still the run's current lease (HELD, or CANCEL when a cancel was requested), else LOST.
   */
  List<LeaseState> heartbeat(List<LeaseRef> refs) {
    Instant extended = leader.clock().instant().plus(leaseDuration);
    List<LeaseState> states = new ArrayList<>();
    for (LeaseRef ref : refs) {
      LeaseState.Builder state = LeaseState.newBuilder().setRunId(ref.getRunId());
      Optional<Run> run = leader.store().run(ref.getRunId());
      boolean current =
          run.isPresent()
              && run.get().getState() == RunState.LEASED
              && run.get().getFencingToken() == ref.getFencingToken()
              && !expiring.contains(ref.getRunId());
      if (!current) {
        states.add(state.setStatus(LeaseStatus.LOST).build());
        continue;
      }
      Lease lease = leases.get(ref.getRunId());
      Instant deadline =
          lease != null && lease.token() == ref.getFencingToken() && lease.deadline().isAfter(extended)
              ? lease.deadline()
              : extended;
      put(ref.getRunId(), new Lease(ref.getFencingToken(), deadline));
      states.add(
          state
              .setStatus(run.get().getCancelRequested() ? LeaseStatus.CANCEL : LeaseStatus.HELD)
              .setDeadline(Times.toTimestamp(deadline))
              .build());
    }
    rearm();
    return states;
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
    put(run.getRunId(), new Lease(run.getFencingToken(), deadline.isAfter(graceUntil) ? deadline : graceUntil));
  }

  private void put(String runId, Lease lease) {
    leases.put(runId, lease);
    deadlines.add(new Due(lease.deadline(), runId));
  }

  private boolean live(Due due) {
    Lease lease = leases.get(due.runId());
    return lease != null && lease.deadline().equals(due.at()) && !expiring.contains(due.runId());
  }

  /** The earliest live deadline, dropping superseded ones on the way; null if none. */
  private Due firstDue() {
    while (!deadlines.isEmpty() && !live(deadlines.peek())) {
      deadlines.poll();
    }
    return deadlines.peek();
  }

  private void rearm() {
    if (closed) {
      return;
    }
    Due first = firstDue();
    if (first != null && timer != null && !timer.isDone() && first.at().equals(timerAt)) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
    if (first != null) {
      timerAt = first.at();
      timer = leader.wakeAt(first.at(), this::expireDue);
    }
  }

  private void expireDue() {
    if (closed) {
      return;
    }
    timer = null; // this task
    Instant now = leader.clock().instant();
    ExpireLeases.Builder expiries = ExpireLeases.newBuilder();
    List<String> runIds = new ArrayList<>();
    for (Due due = firstDue(); due != null && !due.at().isAfter(now); due = firstDue()) {
      expiries.addExpiries(LeaseExpiry.newBuilder().setRunId(due.runId()).setFencingToken(leases.get(due.runId()).token()));
      runIds.add(due.runId());
      expiring.add(due.runId()); // no longer live: the next head is another run's
    }
    if (runIds.isEmpty()) {
      rearm();
      return;
    }
    rearm();
    leader
        .propose(Command.newBuilder().setExpireLeases(expiries))
        .whenCompleteAsync(
            (result, failure) -> {
              runIds.forEach(expiring::remove);
              runIds.forEach(this::reread);
              if (failure != null && !closed) {
                // The leases are still past their deadline: without this, rearm() proposes again at once.
                if (timer != null) {
                  timer.cancel(false);
                }
                timerAt = null;
                timer = leader.retryLater(this::rearm);
              }
            },
            leader.executor());
  }
}
