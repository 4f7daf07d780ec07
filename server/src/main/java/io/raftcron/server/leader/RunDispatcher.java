package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.ExpireLeases;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.LeaseExpiry;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.OverlapPolicy;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.sm.Limits;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Hands queued runs to long-polling workers. A run goes to a worker only after the GrantLeases
 * entry that leases it has committed; the entry's log index is the lease's fencing token. A job
 * whose overlap policy is FORBID or BUFFER_ONE has at most one run leased at a time. Runs only on
 * the leader's executor thread.
 */
final class RunDispatcher {

  /** A worker waiting for runs. */
  private static final class Poll {
    final String worker;
    final int maxRuns;
    final CompletableFuture<List<Run>> reply;
    /** When the worker's wait ends (System.nanoTime), however often the poll is taken up again. */
    final long endsAtNanos;
    ScheduledFuture<?> timeout;

    Poll(String worker, int maxRuns, CompletableFuture<List<Run>> reply, long endsAtNanos) {
      this.worker = worker;
      this.maxRuns = maxRuns;
      this.reply = reply;
      this.endsAtNanos = endsAtNanos;
    }
  }

  private final LeaderTerm leader;
  private final Duration leaseDuration;
  private final Deque<Poll> waiting = new ArrayDeque<>();
  /** The runs of the GrantLeases entries proposed and not yet committed. */
  private final Set<RunIds.RunRef> granting = new HashSet<>();
  // A job's overlap policy, read once per job instead of once per dispatch: dispatch runs after
  // every commit that may queue a run, and re-reading every candidate's job showed up as the
  // dispatcher's main cost. PUT_JOB and DELETE_JOB drop the job's entry (jobChanged).
  private final Map<String, Boolean> oneAtATime = new HashMap<>();
  /**
   * No run before this place in the queue is queued: a run (queued under its slot), or with an
   * empty job name the first run of its slot ({@link #UNKNOWN}: scan from the queue's start; {@link
   * #NOTHING}: no run is queued). The first queued run a scan meets, often one being granted, moves
   * it up; a committed command that queues a run at or before its slot moves it down ({@link
   * #queued}). Workers take runs from the queue's head, which leaves a long row of deleted entries
   * there, thousands in one slot, that a scan from further back steps over every time.
   */
  private RunIds.RunRef queuedFrom = UNKNOWN;
  /** The queue's start. Slots before 1970 sort after every other there, so a run queued at one sends the scan here. */
  private static final RunIds.RunRef UNKNOWN = slotStart(Instant.EPOCH);
  private static final RunIds.RunRef NOTHING = slotStart(Instant.MAX);
  private boolean dispatchScheduled;
  private boolean closed;

  RunDispatcher(LeaderTerm leader, Duration leaseDuration) {
    this.leader = leader;
    this.leaseDuration = leaseDuration;
  }

  void poll(String worker, int maxRuns, Duration wait, CompletableFuture<List<Run>> reply) {
    waitForRuns(worker, maxRuns, reply, System.nanoTime() + Math.max(0, wait.toNanos()));
  }

  private void waitForRuns(String worker, int maxRuns, CompletableFuture<List<Run>> reply, long endsAtNanos) {
    if (closed) {
      reply.completeExceptionally(new NotLeadingException());
      return;
    }
    Duration wait = Duration.ofNanos(Math.max(0, endsAtNanos - System.nanoTime()));
    Poll poll = new Poll(worker, Math.max(1, Math.min(maxRuns, Limits.MAX_RUNS_PER_POLL)), reply, endsAtNanos);
    poll.timeout =
        leader.executor().schedule(
            () -> {
              waiting.remove(poll);
              poll.reply.complete(List.of());
            },
            Math.max(0, wait.toMillis()),
            TimeUnit.MILLISECONDS);
    waiting.add(poll);
    dispatch();
  }

  /**
   * Runs may have entered the queue. Commits come one executor task each, often many in a row
   * (a batch of completions, fires and grants): one dispatch after the burst scans the queue once
   * instead of once per commit.
   */
  void queueChanged() {
    if (dispatchScheduled || closed) {
      return;
    }
    dispatchScheduled = true;
    leader.executor().execute(() -> {
      dispatchScheduled = false;
      dispatch();
    });
  }

  /** A committed command queued a run of this slot (a fire, a retry, an expired lease, a trigger, a backfill). */
  void queued(Instant slot) {
    if (!slot.isAfter(queuedFrom.slot()) && queuedFrom != UNKNOWN) {
      queuedFrom = placeOf(slotStart(slot)); // the run's job may come before the place's
    }
    queueChanged();
  }

  private static RunIds.RunRef slotStart(Instant slot) {
    return new RunIds.RunRef("", slot);
  }

  private static RunIds.RunRef placeOf(RunIds.RunRef queuedRun) {
    return queuedRun.slot().isAfter(Instant.EPOCH) ? queuedRun : UNKNOWN;
  }

  /** The job was created, updated or deleted: its overlap policy may have changed. */
  void jobChanged(String job) {
    oneAtATime.remove(job);
  }

  void close() {
    closed = true;
    for (Poll poll : waiting) {
      poll.timeout.cancel(false);
      poll.reply.completeExceptionally(new NotLeadingException());
    }
    waiting.clear();
  }

  /**
   * Which queued runs not being granted already may be leased now: for a job whose overlap policy
   * is FORBID or BUFFER_ONE, only while no other run of the job is leased (or being granted) — at
   * most one per job, the oldest first. Stateful: call once per dispatch.
   */
  private Predicate<Run> eligibility() {
    Set<String> busyJobs = new HashSet<>();
    boolean[] busyKnown = {false};
    return run -> {
      if (!oneAtATime.computeIfAbsent(run.getJob(), this::runsOneAtATime)) {
        return true;
      }
      if (!busyKnown[0]) {
        busyKnown[0] = true;
        leader.store().leasedRuns().forEach(r -> busyJobs.add(r.getJob()));
        granting.forEach(ref -> busyJobs.add(ref.job()));
      }
      return busyJobs.add(run.getJob());
    };
  }

  private boolean runsOneAtATime(String job) {
    return leader.store()
        .job(job)
        .map(j -> j.getSpec().getOverlap())
        .map(p -> p == OverlapPolicy.FORBID || p == OverlapPolicy.BUFFER_ONE)
        .orElse(false);
  }

  private void dispatch() {
    if (closed || waiting.isEmpty() || queuedFrom == NOTHING) {
      return;
    }
    int wanted = waiting.stream().mapToInt(p -> p.maxRuns).sum();
    RunIds.RunRef[] firstQueued = {null};
    Predicate<RunIds.RunRef> notGranting = ref -> {
      if (firstQueued[0] == null) {
        firstQueued[0] = ref;
      }
      return !granting.contains(ref);
    };
    List<Run> found = leader.store().queuedRuns(queuedFrom, wanted, notGranting, eligibility());
    // What the scan did not see was committed after it began: queued() reports it later.
    queuedFrom = firstQueued[0] != null ? placeOf(firstQueued[0]) : NOTHING;
    Iterator<Run> candidates = found.iterator();
    if (!candidates.hasNext()) {
      return;
    }
    Map<RunIds.RunRef, Poll> pollOfRun = new HashMap<>();
    GrantLeases.Builder grants = GrantLeases.newBuilder();
    com.google.protobuf.Timestamp deadline =
        Times.toTimestamp(leader.clock().instant().plus(leaseDuration));
    List<Poll> served = new ArrayList<>();
    while (!waiting.isEmpty() && candidates.hasNext()) {
      Poll poll = waiting.poll();
      poll.timeout.cancel(false);
      if (poll.reply.isDone()) {
        continue; // its caller went away (the call was cancelled): lease it nothing
      }
      served.add(poll);
      for (int i = 0; i < poll.maxRuns && candidates.hasNext(); i++) {
        Run run = candidates.next();
        RunIds.RunRef ref = RunIds.RunRef.of(run);
        granting.add(ref);
        pollOfRun.put(ref, poll);
        grants.addGrants(
            LeaseGrant.newBuilder()
                .setRunId(run.getRunId())
                .setWorker(poll.worker)
                .setDeadline(deadline));
      }
    }
    if (served.isEmpty()) {
      granting.removeAll(pollOfRun.keySet());
      return; // every waiting poll had gone away: nothing to grant
    }
    leader
        .propose(Command.newBuilder().setGrantLeases(grants))
        .whenCompleteAsync(
            (result, failure) -> {
              granting.removeAll(pollOfRun.keySet());
              Map<Poll, List<Run>> leased = new HashMap<>();
              if (failure == null) {
                for (ItemResult item : result.getItemsList()) {
                  if (item.getCode() == ResultCode.OK) {
                    leased
                        .computeIfAbsent(pollOfRun.get(RunIds.RunRef.of(item.getRun())), p -> new ArrayList<>())
                        .add(item.getRun());
                  }
                }
              }
              for (Poll poll : served) {
                List<Run> runs = leased.getOrDefault(poll, List.of());
                if (!runs.isEmpty()) {
                  if (!poll.reply.complete(runs)) {
                    giveBack(runs); // its caller went away while the grant committed
                  }
                } else if (failure != null || closed) {
                  poll.reply.completeExceptionally(
                      failure != null ? failure : new NotLeadingException());
                } else {
                  // Every grant refused (the runs were cancelled or taken meanwhile): wait on, for the rest of its wait.
                  waitForRuns(poll.worker, poll.maxRuns, poll.reply, poll.endsAtNanos);
                }
              }
            },
            leader.executor());
  }

  /** Runs leased to a poll nobody reads any more: back to the queue now, not after a whole lease. */
  private void giveBack(List<Run> runs) {
    ExpireLeases.Builder expiries = ExpireLeases.newBuilder();
    runs.forEach(run -> expiries.addExpiries(
        LeaseExpiry.newBuilder().setRunId(run.getRunId()).setFencingToken(run.getFencingToken())));
    leader.propose(Command.newBuilder().setExpireLeases(expiries)); // if it fails, the lease runs out instead
  }
}
