package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.Job;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.Times;
import io.raftcron.sm.planner.FirePlanner;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's firing loop. It keeps every job's next open slot in a priority queue, sleeps until
 * the earliest one is due, and proposes the due slots of all due jobs in FireSlots entries of at
 * most {@link #MAX_DECISIONS_PER_ENTRY} decisions. It plans the jobs due next from
 * {@link #PREPARE_AHEAD} before their slot, in slices, so that at the slot it only proposes (see
 * {@link Prepared} and {@link Preparation}).
 * A job with a proposal in flight is not planned again until that proposal's outcome is known;
 * then it goes to the next due its plan computed, or, if another command wrote it meanwhile or the
 * proposal failed, its next slot is recomputed from the committed state. Whatever happens to a proposal
 * (committed, refused, lost in a leader change), the state machine's cursor check makes a
 * second decision for the same slot impossible. Runs only on the leader's executor thread.
 */
final class FireScheduler {
  private static final Logger log = LoggerFactory.getLogger(FireScheduler.class);
  static final int MAX_FIRES_PER_JOB = 1000;
  /**
   * Decisions per FireSlots entry (job names are DNS labels, so under 1 MiB). With the plans made
   * ahead, a burst goes out at once, and every entry costs each replica an fsync, a replication
   * round and an apply: at 10 000 jobs a second, ten entries of 1000 committed ~15 ms apart (p99
   * slot → committed 217 ms), one of 10 000 in 42 ms, at 0.038 instead of 0.070 CPU s per 1000
   * fires. (Planned at the slot, 1000 had been better than 5000: the first entry waited for its
   * planning.)
   */
  static final int MAX_DECISIONS_PER_ENTRY = 10_000;
  /**
   * How long before a slot the jobs due then start to be planned. Planning 10 000 jobs due at the
   * same second took 20-100 ms of the leader thread at that second, ahead of their proposals; with
   * the plans ready the burst goes out within a few milliseconds.
   */
  static final Duration PREPARE_AHEAD = Duration.ofMillis(200);
  /**
   * Plans made ahead of one slot at most (2-5 µs of the leader thread each); jobs beyond are planned
   * at their slot.
   */
  static final int MAX_PREPARED = 50_000;
  /** Jobs read per step of the rebuild: one seek of the jobs and cursors families, then parsing and cron for each. */
  static final int REBUILD_PAGE = 500;
  private static final Duration RETRY_AFTER_FAILURE = Duration.ofMillis(200);
  private static final Duration UNREADABLE_RETRY = Duration.ofSeconds(10);

  private record Due(Instant at, String job) {}

  /**
   * A job's plan made at {@code at}, its next slot, before that slot came. Planning at a later
   * instant {@code now} gives the same decisions if the job is unchanged (a change drops the
   * plan), no further slot is due by {@code now}, and none of its slots is missed by then (all
   * fire, the oldest less than the misfire threshold before {@code now}); otherwise the job is
   * planned again.
   */
  private record Prepared(Instant at, FirePlanner.Plan plan, Instant oldestFired, Instant nextDue) {
    /** What the check at the slot needs that does not depend on {@code now}, read once. */
    static Prepared of(Instant at, FirePlanner.Plan plan) {
      List<SlotDecision> decisions = plan.decisions();
      boolean allFire = !decisions.isEmpty() && decisions.stream().allMatch(SlotDecision::getFire);
      return new Prepared(at, plan, allFire ? Times.toInstant(decisions.get(0).getSlot()) : null,
          plan.nextDue().orElse(null));
    }

    /** {@code missedBefore}: {@code now} less the misfire threshold. */
    boolean sameAsPlanningAt(Instant due, Instant now, Instant missedBefore) {
      return oldestFired != null && at.equals(due) && stillDecided(oldestFired, nextDue, now, missedBefore);
    }

    /** Plans firing from {@code oldestFired}, next due at {@code nextDue}: at {@code now} none is missed, none due again. */
    static boolean stillDecided(Instant oldestFired, Instant nextDue, Instant now, Instant missedBefore) {
      return oldestFired.isAfter(missedBefore) && (nextDue == null || now.isBefore(nextDue));
    }
  }

  /**
   * A FireSlots entry of plans one {@link Preparation} made for jobs due at {@code due} whose
   * decisions all fire, sorted and serialized then. Any change to one of its jobs' place in
   * the schedule drops it (see {@link #moved}), so while it stands, each of its jobs is still due
   * at {@code due}, and at {@code now} it decides what planning each job at {@code now} would if
   * {@code now} is at or after {@code due}, before the earliest next slot of its plans, and less
   * than the misfire threshold after the oldest slot it fires. Then the slot's burst is proposed
   * without a lookup per job (3-5 ms of the leader thread at 10 000 jobs) before the jobs leave
   * the schedule. {@code nextDue}: each job's next due after its plan (null: none), its place once
   * the entry commits.
   */
  private record PreparedEntry(
      Map<String, Instant> nextDue, PreparedCommand command, Instant due, Instant oldestFired, Instant firstNextDue) {
    Set<String> jobs() {
      return nextDue.keySet();
    }

    /** {@code missedBefore}: {@code now} less the misfire threshold. */
    boolean decidesAsPlanningAt(Instant now, Instant missedBefore) {
      return !due.isAfter(now) && Prepared.stillDecided(oldestFired, firstNextDue, now, missedBefore);
    }
  }

  /**
   * In job order (stable: a job's slots stay in order): every replica writes an entry's runs,
   * cursors and queue entries sorted by key, which costs the least when they come sorted.
   */
  private static final Comparator<SlotDecision> ENTRY_ORDER = Comparator.comparing(SlotDecision::getJob);

  private final LeaderTerm leader;
  private final PriorityQueue<Due> queue = new PriorityQueue<>((a, b) -> a.at.compareTo(b.at));
  private final Map<String, Instant> dueByJob = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();
  /** Jobs written by another command while their fire was in flight: read again once it completes. */
  private final Set<String> changedInFlight = new HashSet<>();
  private final Map<String, Prepared> prepared = new HashMap<>();
  /** The entries of the latest {@link Preparation}'s plans, each until it is proposed or one of its jobs moves. */
  private final List<PreparedEntry> preparedEntries = new ArrayList<>();
  /** The preparation under way, or null. */
  private Preparation preparation;
  /** The jobs due through this instant are, or are being, planned ahead (as many as {@link #MAX_PREPARED}). */
  private Instant preparedThrough = Instant.MIN;
  private ScheduledFuture<?> timer;
  private Instant timerAt;
  private boolean closed;

  FireScheduler(LeaderTerm leader) {
    this.leader = leader;
  }

  /** Rebuilds the schedule in slices ({@link LeaderTerm#inSlices}), so that fires and replies go on meanwhile. */
  void start() {
    rebuild(new Rebuild());
  }

  private void rebuild(Rebuild rebuild) {
    leader.inSlices(rebuild, () -> !closed).whenComplete((done, failure) -> {
      if (failure != null && !(failure instanceof CancellationException)) {
        log.error("could not read the jobs after '{}' to schedule them; trying again shortly", rebuild.after, failure);
        leader.retryLater(() -> rebuild(rebuild));
      }
    });
  }

  /** Tracks every job, a page at a time in name order, from where it stopped. */
  private final class Rebuild implements LeaderTerm.Steps {
    private String after = "";

    @Override
    public boolean advance(BooleanSupplier timeUp) {
      boolean done;
      do {
        List<Job> page = leader.store().jobs(after, REBUILD_PAGE);
        for (Job job : page) {
          // A job in flight is placed when its proposal completes.
          if (!inFlight.contains(job.getSpec().getName())) {
            trackOrRetry(job);
          }
        }
        done = page.size() < REBUILD_PAGE;
        if (!done) {
          after = page.get(page.size() - 1).getSpec().getName();
        }
      } while (!done && !timeUp.getAsBoolean());
      rearm();
      return done;
    }
  }

  /** The job was written (created, updated, deleted, paused, resumed, fired by another leader): recompute its next slot. */
  void jobChanged(String name) {
    prepared.remove(name);
    if (closed) {
      return;
    }
    if (inFlight.contains(name)) {
      changedInFlight.add(name); // read again when the in-flight proposal completes (it is in no prepared entry)
      return;
    }
    leader.store().job(name).ifPresentOrElse(this::trackOrRetry, () -> unschedule(name));
    rearm();
  }

  /**
   * A FireSlots entry moved the job's cursor. A job in flight is placed when its proposal
   * completes: the entry is this leader's own, applied before its completion is handled (were it a
   * previous leader's, the cursor check refuses this leader's decision for the job, which is then
   * read again). Any other job is read.
   */
  void fired(String name) {
    if (!inFlight.contains(name)) {
      jobChanged(name);
    }
  }

  /** How many jobs have a next slot in the schedule (so far, while the rebuild is under way). */
  int trackedJobs() {
    return dueByJob.size();
  }

  /** How many jobs have a plan prepared for their next slot. */
  int preparedJobs() {
    return prepared.size();
  }

  /** The entries prepared for the next slot (each in job order). */
  List<PreparedCommand> preparedEntries() {
    return preparedEntries.stream().map(PreparedEntry::command).toList();
  }

  void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  /** As {@link #track}; a job that cannot be placed now (unreadable here) is tried again, never dropped or blocking others. */
  private void trackOrRetry(Job job) {
    try {
      track(job);
    } catch (RuntimeException e) {
      unreadable(job.getSpec().getName(), e);
    }
  }

  /** The job cannot be read or planned here now: tried again in a while (an I/O error passes; a schedule this
   *  node's time-zone database cannot read does not, and says so every time). */
  private void unreadable(String job, RuntimeException e) {
    log.error("cannot plan job {} on this node ({}); trying again in {} s", job, e.toString(), UNREADABLE_RETRY.toSeconds());
    schedule(job, leader.clock().instant().plus(UNREADABLE_RETRY));
  }

  /** A paused job is not tracked (resume re-tracks it); others at their next slot in bounds. */
  private void track(Job job) {
    String name = job.getSpec().getName();
    if (job.getPaused()) {
      unschedule(name);
      return;
    }
    FirePlanner.nextSlot(job).ifPresentOrElse(at -> schedule(name, at), () -> unschedule(name));
  }

  // dueByJob changes only through schedule and unschedule, which drop the prepared entry of a job that moves.

  private void schedule(String job, Instant at) {
    moved(job);
    dueByJob.put(job, at);
    queue.add(new Due(at, job));
  }

  /** The job leaves the schedule (its queue entries go stale). */
  private void unschedule(String job) {
    moved(job);
    dueByJob.remove(job);
  }

  /** The job's place in the schedule changes (or it leaves it): the prepared entry holding it no longer stands. */
  private void moved(String job) {
    preparedEntries.removeIf(entry -> entry.jobs().contains(job));
    if (preparation != null) {
      preparation.moved(job);
    }
  }

  private void rearm() {
    if (closed) {
      return;
    }
    dropStaleHeads();
    Due head = queue.peek();
    if (head == null) {
      return;
    }
    Instant wakeAt = head.at.isAfter(preparedThrough) ? head.at.minus(PREPARE_AHEAD) : head.at;
    if (timer != null && !timer.isDone() && wakeAt.equals(timerAt)) {
      return;
    }
    if (timer != null) {
      timer.cancel(false);
    }
    timerAt = wakeAt;
    timer = leader.wakeAt(wakeAt, this::wake);
  }

  /**
   * Starts planning the jobs due by {@code now} + {@link #PREPARE_AHEAD} (none is due yet) as of
   * their slot. Their queue entries are read now; the plans are made in slices (a few ms each, with
   * the leader's other work in between) until done, or until the first of their slots comes.
   */
  private void startPreparation(Instant now) {
    Instant until = now.plus(PREPARE_AHEAD);
    List<Due> due = new ArrayList<>();
    while (due.size() < MAX_PREPARED && liveHeadDueBy(until) != null) {
      due.add(queue.poll());
    }
    queue.addAll(due);
    preparedThrough = until;
    Preparation started = new Preparation(due);
    preparation = started;
    leader.inSlices(started, () -> !closed && preparation == started).whenComplete((done, failure) -> {
      if (preparation == started) {
        preparation = null;
      }
      if (failure != null && !(failure instanceof CancellationException)) {
        log.warn("planning ahead of slot {} failed; its jobs are planned at the slot", started.first, failure);
      }
    });
  }

  /**
   * Plans the jobs of some queue entries due at {@code first} or within {@link #PREPARE_AHEAD} of
   * it, in queue order, each as of its slot, while its entry is still live. Those due at {@code
   * first} whose decisions all fire go into FireSlots entries of at most {@link
   * #MAX_DECISIONS_PER_ENTRY} decisions; a job that moves before its entry is closed leaves it.
   */
  private final class Preparation implements LeaderTerm.Steps {
    final Instant first;
    private final List<Due> due;
    private final Set<String> seen = new HashSet<>();
    private final Map<String, Prepared> open = new LinkedHashMap<>();
    private int openDecisions;
    private int next;

    Preparation(List<Due> due) {
      this.due = due;
      this.first = due.get(0).at;
    }

    /** The last entry is closed in the slice that plans the last job: all planned means all entries stand. */
    @Override
    public boolean advance(BooleanSupplier timeUp) {
      do {
        plan(due.get(next++));
      } while (next < due.size() && !timeUp.getAsBoolean());
      if (next < due.size()) {
        return false;
      }
      closeEntry();
      return true;
    }

    private void plan(Due head) {
      // A second copy (a change that left the job's next slot where it was) adds nothing.
      boolean live = head.at.equals(dueByJob.get(head.job)) && !inFlight.contains(head.job);
      Prepared ready;
      try {
        Optional<Job> job = live && seen.add(head.job) ? leader.store().job(head.job) : Optional.empty();
        if (job.isEmpty()) {
          return;
        }
        ready = Prepared.of(head.at, FirePlanner.plan(job.get(), head.at, MAX_FIRES_PER_JOB));
      } catch (RuntimeException e) {
        return; // not planned ahead; the wake at its slot tries it and says why (see unreadable)
      }
      prepared.put(head.job, ready);
      // Only jobs due at the window's first instant: a wake at an earlier one would drop the entry.
      if (ready.oldestFired() != null && head.at.equals(first)) {
        int size = ready.plan().decisions().size();
        if (openDecisions + size > MAX_DECISIONS_PER_ENTRY) {
          closeEntry();
        }
        open.put(head.job, ready);
        openDecisions += size;
      }
    }

    void moved(String job) {
      Prepared left = open.remove(job);
      if (left != null) {
        openDecisions -= left.plan().decisions().size();
      }
    }

    private void closeEntry() {
      if (open.isEmpty()) {
        return;
      }
      List<SlotDecision> decisions = new ArrayList<>(openDecisions);
      Map<String, Instant> nextDue = new HashMap<>();
      Instant oldestFired = Instant.MAX;
      Instant firstNextDue = null;
      for (Map.Entry<String, Prepared> job : open.entrySet()) {
        Prepared ready = job.getValue();
        decisions.addAll(ready.plan().decisions());
        nextDue.put(job.getKey(), ready.nextDue());
        oldestFired = oldestFired.isBefore(ready.oldestFired()) ? oldestFired : ready.oldestFired();
        if (ready.nextDue() != null && (firstNextDue == null || ready.nextDue().isBefore(firstNextDue))) {
          firstNextDue = ready.nextDue();
        }
      }
      preparedEntries.add(new PreparedEntry(nextDue, entryOf(decisions), first, oldestFired, firstNextDue));
      open.clear();
      openDecisions = 0;
    }
  }

  private void wake() {
    if (closed) {
      return;
    }
    Instant now = leader.clock().instant();
    Instant missedBefore = now.minus(FirePlanner.MISFIRE_THRESHOLD);
    if (preparation != null && !now.isBefore(preparation.first)) {
      preparation = null; // its slot came: what it has not planned yet is planned below
    }
    List<PreparedEntry> standing = new ArrayList<>();
    preparedEntries.removeIf(entry -> entry.decidesAsPlanningAt(now, missedBefore) && standing.add(entry));
    standing.forEach(entry -> propose(entry.nextDue, entry.command, now));
    for (PreparedEntry entry : standing) {
      for (String job : entry.jobs()) {
        unschedule(job); // its queue entries are dropped below
        prepared.remove(job);
      }
    }
    // Not when a slot is overdue (a late wake, a new leader): the loop below plans those now. A
    // preparedThrough ahead of the window is from before the clock stepped back.
    Due next = liveHeadDueBy(now.plus(PREPARE_AHEAD));
    if (next != null && next.at.isAfter(now) && preparation == null
        && (next.at.isAfter(preparedThrough) || preparedThrough.isAfter(now.plus(PREPARE_AHEAD)))) {
      startPreparation(now);
    }
    Map<String, Instant> jobs = new LinkedHashMap<>();
    List<SlotDecision> decisions = new ArrayList<>();
    while (decisions.size() < MAX_DECISIONS_PER_ENTRY && liveHeadDueBy(now) != null) {
      Due head = queue.poll();
      unschedule(head.job);
      Prepared ready = prepared.remove(head.job);
      Optional<FirePlanner.Plan> planned;
      try {
        planned = ready != null && ready.sameAsPlanningAt(head.at, now, missedBefore)
            ? Optional.of(ready.plan)
            : leader.store().job(head.job).map(job -> FirePlanner.plan(job, now, MAX_FIRES_PER_JOB));
      } catch (RuntimeException e) { // this job only: the others due now still fire
        unreadable(head.job, e);
        continue;
      }
      if (planned.isEmpty()) {
        continue;
      }
      FirePlanner.Plan plan = planned.get();
      if (plan.decisions().isEmpty()) {
        plan.nextDue().ifPresent(at -> schedule(head.job, at));
      } else {
        decisions.addAll(plan.decisions());
        jobs.put(head.job, plan.nextDue().orElse(null));
      }
    }
    if (!decisions.isEmpty()) {
      propose(jobs, entryOf(decisions), now);
    }
    timer = null;
    rearm();
  }

  /** Sorts {@code decisions} into {@link #ENTRY_ORDER} and serializes their FireSlots entry. */
  private static PreparedCommand entryOf(List<SlotDecision> decisions) {
    decisions.sort(ENTRY_ORDER);
    return PreparedCommand.of(Command.newBuilder().setFireSlots(FireSlots.newBuilder().addAllDecisions(decisions)));
  }

  /**
   * Proposes a FireSlots entry for the jobs of {@code nextDue}, each mapped to its next due after
   * the entry (null: none). Once it commits, a job no other command wrote meanwhile goes there
   * without being read again: the plan that made its decisions computed it from the same record.
   */
  private void propose(Map<String, Instant> nextDue, PreparedCommand command, Instant now) {
    Set<String> jobs = nextDue.keySet();
    List<SlotDecision> decisions = command.command().getFireSlots().getDecisionsList();
    CompletableFuture<CommandResult> proposed;
    try {
      proposed = leader.propose(command);
    } catch (RuntimeException e) {
      proposed = CompletableFuture.failedFuture(e); // retried below like any failed proposal
    }
    inFlight.addAll(jobs); // once the entry is on its way: its outcome is handled on this thread, later
    proposed
        .whenCompleteAsync(
            (result, failure) -> {
              inFlight.removeAll(jobs);
              if (closed) {
                return;
              }
              if (failure != null) {
                if (LeaderTerm.endedBy(failure)) {
                  log.info("fire proposal for {} job(s) did not complete as this node stopped leading ({}): the next "
                      + "leader decides their slots from the committed cursors", jobs.size(), failure.getMessage());
                  return;
                }
                log.warn("fire proposal for {} job(s) failed, retrying: {}", jobs.size(), failure.toString());
                jobs.forEach(job -> {
                  changedInFlight.remove(job);
                  retryLater(job);
                });
              } else {
                log.debug("committed {} slot decision(s) proposed at {}", decisions.size(), now);
                Set<String> refused = refusedJobs(decisions, result);
                nextDue.forEach((job, at) -> {
                  boolean changed = changedInFlight.remove(job);
                  if (refused.contains(job)) {
                    retryLater(job); // a refused decision leaves the cursor where it was: back off, don't spin
                  } else if (changed) {
                    retrack(job);
                  } else if (at != null) {
                    schedule(job, at);
                  }
                });
              }
              rearm();
            },
            leader.executor());
  }

  private void retryLater(String job) {
    schedule(job, leader.clock().instant().plus(RETRY_AFTER_FAILURE));
  }

  /** After its fire: the job's next slot, or a retry if it cannot be read now (a job is never dropped). */
  private void retrack(String job) {
    try {
      jobChanged(job);
    } catch (RuntimeException e) {
      log.error("could not read job {} after its fire, trying again shortly", job, e);
      retryLater(job);
    }
  }

  /** The jobs whose decision was refused; all of them if the result has no item per decision. */
  private static Set<String> refusedJobs(List<SlotDecision> decisions, CommandResult result) {
    Set<String> refused = new HashSet<>();
    if (result.getItemsCount() != decisions.size()) {
      log.warn("fire entry refused as a whole: {}", result.getMessage());
      decisions.forEach(decision -> refused.add(decision.getJob()));
      return refused;
    }
    for (int i = 0; i < decisions.size(); i++) {
      ItemResult item = result.getItems(i);
      if (item.getCode() != ResultCode.OK) {
        log.warn("slot decision refused: {}", item.getMessage());
        refused.add(decisions.get(i).getJob());
      }
    }
    return refused;
  }

  /** The queue's live head if it is due by {@code until}, else null. */
  private Due liveHeadDueBy(Instant until) {
    dropStaleHeads();
    Due head = queue.peek();
    return head == null || head.at.isAfter(until) ? null : head;
  }

  /** The queue keeps superseded entries; only the one matching dueByJob is live. */
  private void dropStaleHeads() {
    while (!queue.isEmpty()) {
      Due head = queue.peek();
      if (head.at.equals(dueByJob.get(head.job)) && !inFlight.contains(head.job)) {
        return;
      }
      queue.poll();
    }
  }
}
