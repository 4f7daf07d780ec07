package io.raftcron.bench;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.SlotDecision;
import io.raftcron.server.leader.CommitObserver;
import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What the nodes committed and applied, seen through their commit and apply callbacks. Two
 * lateness figures per fired slot in the window: slot → the deciding leader learning that the
 * FireSlots entry committed (the decision is durable on a quorum from then on), and slot → the
 * first node applying that entry (the run is queued there: on the leader, workers can lease it).
 * Each node keeps which (job, slot) it fired: one fired twice on one node is a duplicate (the
 * state machine refuses them, so any is a bug). Only slots inside the measurement window are
 * counted and timed.
 *
 * <p>The bookkeeping is kept small, since it runs on the nodes' apply threads in the measured JVM:
 * a bit per job and second per node, and first-apply times per log entry rather than per run.
 */
final class FireLedger {
  /** The longest lateness a histogram records: an hour, the catch-up window. */
  static final long MAX_MICROS = 3_600_000_000L;
  /** Entries whose first apply is remembered: a few minutes of fire and completion entries. */
  private static final int FIRST_APPLIES_KEPT = 100_000;

  /** Job name → a small number, shared by the nodes. */
  private final Map<String, Integer> jobIds = new ConcurrentHashMap<>();
  private final AtomicInteger nextJobId = new AtomicInteger();
  private final Map<String, NodeFires> firesByNode = new ConcurrentHashMap<>();
  /** Log indexes some node has applied: the first node to apply an entry times it. */
  private final Set<Long> appliedEntries = ConcurrentHashMap.newKeySet();
  private final Histogram commitLateness = new ConcurrentHistogram(MAX_MICROS, 3);
  private final Histogram fireLateness = new ConcurrentHistogram(MAX_MICROS, 3);
  private final Histogram completionLateness = new ConcurrentHistogram(MAX_MICROS, 3);
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong firesInWindow = new AtomicLong();
  private final AtomicLong completionsInWindow = new AtomicLong();
  private final AtomicLong skippedDecisions = new AtomicLong();
  private final AtomicLong fatalNodes = new AtomicLong();
  private volatile Instant windowStart = Instant.MAX;
  private volatile Instant windowEnd = Instant.MAX;
  // Failover: the first fire applied after `watchFrom` by a leader other than `watchExcluded`.
  private volatile Instant watchFrom;
  private volatile String watchExcluded;
  private volatile CompletableFuture<Instant> firstFireAfterWatch = new CompletableFuture<>();

  /** The (job, slot second) pairs one node fired; written by that node's apply thread only. */
  private static final class NodeFires {
    private final Map<Integer, BitSet> secondsByJob = new HashMap<>();
    private long base = Long.MIN_VALUE;

    /** Records the fire; false if this node had fired that slot before. */
    synchronized boolean add(int job, long epochSecond) {
      if (base == Long.MIN_VALUE) {
        base = epochSecond - 3600; // slots reach back at most an hour (the catch-up window)
      }
      int bit = (int) Math.max(0, epochSecond - base);
      BitSet seconds = secondsByJob.computeIfAbsent(job, j -> new BitSet());
      boolean seen = seconds.get(bit);
      seconds.set(bit);
      return !seen;
    }
  }

  /** Counts and times slots in [start, end) from now on. */
  void window(Instant start, Instant end) {
    windowStart = start;
    windowEnd = end;
  }

  /** Remembers the first fire applied after {@code from} that a leader other than {@code node} decided. */
  void watchForFireNotBy(String node, Instant from) {
    firstFireAfterWatch = new CompletableFuture<>();
    watchExcluded = node;
    watchFrom = from;
  }

  /** That fire's time, or null if there was none (yet). */
  Instant firstFireAfterWatch() {
    return firstFireAfterWatch.getNow(null);
  }

  /** Waits up to {@code timeout} for that fire; null if none came. */
  Instant awaitFireAfterWatch(Duration timeout) {
    try {
      return firstFireAfterWatch.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause()); // never: the future is only completed normally
    }
  }

  SchedulerStateMachine.ApplyListener observer(String nodeId) {
    NodeFires mine = firesByNode.computeIfAbsent(nodeId, n -> new NodeFires());
    return (index, command, result) -> {
      switch (command.getOpCase()) {
        case FIRE_SLOTS -> onFire(mine, index, command, command.getFireSlots(), result);
        case COMPLETE_RUNS -> onComplete(index, result);
        default -> {}
      }
    };
  }

  /** Times the fire decisions a leader proposed when they commit. */
  CommitObserver commits() {
    return command -> {
      if (command.getOpCase() != Command.OpCase.FIRE_SLOTS) {
        return;
      }
      Instant now = Instant.now();
      for (SlotDecision decision : command.getFireSlots().getDecisionsList()) {
        Instant slot = Times.toInstant(decision.getSlot());
        if (decision.getFire() && inWindow(slot)) {
          commitLateness.recordValue(micros(slot, now));
        }
      }
    };
  }

  private void onFire(NodeFires mine, long index, Command command, FireSlots fire, CommandResult result) {
    Instant now = Instant.now();
    boolean first = firstToApply(index);
    for (int i = 0; i < fire.getDecisionsCount(); i++) {
      SlotDecision decision = fire.getDecisions(i);
      ItemResult item = result.getItems(i);
      if (item.getCode() != ResultCode.OK) {
        continue;
      }
      if (!decision.getFire()) {
        if (first) {
          skippedDecisions.incrementAndGet();
        }
        continue;
      }
      Instant slot = Times.toInstant(decision.getSlot());
      if (!mine.add(jobIds.computeIfAbsent(decision.getJob(), j -> nextJobId.getAndIncrement()), slot.getEpochSecond())) {
        duplicates.incrementAndGet();
      }
      if (!first) {
        continue; // another node applied it first
      }
      Instant watch = watchFrom;
      if (watch != null && !now.isBefore(watch) && !command.getLeaderNode().equals(watchExcluded)) {
        firstFireAfterWatch.complete(now);
      }
      if (inWindow(slot)) {
        firesInWindow.incrementAndGet();
        fireLateness.recordValue(micros(slot, now));
      }
    }
  }

  private void onComplete(long index, CommandResult result) {
    Instant now = Instant.now();
    if (!firstToApply(index)) {
      return;
    }
    for (ItemResult item : result.getItemsList()) {
      // An OK item with a message recorded nothing new (the same completion was recorded before).
      if (item.getCode() != ResultCode.OK || !item.hasRun() || !item.getMessage().isEmpty()) {
        continue;
      }
      Instant slot = Times.toInstant(item.getRun().getSlot());
      if (inWindow(slot)) {
        completionsInWindow.incrementAndGet();
        completionLateness.recordValue(micros(slot, now));
      }
    }
  }

  /** True for the first node to apply entry {@code index}. */
  private boolean firstToApply(long index) {
    if (!appliedEntries.add(index)) {
      return false;
    }
    appliedEntries.remove(index - FIRST_APPLIES_KEPT); // a node lagging that far behind is not timed
    return true;
  }

  private boolean inWindow(Instant slot) {
    return !slot.isBefore(windowStart) && slot.isBefore(windowEnd);
  }

  /** Microseconds from {@code from} to {@code to}, clamped to what a lateness histogram records. */
  static long micros(Instant from, Instant to) {
    long micros = (to.getEpochSecond() - from.getEpochSecond()) * 1_000_000L
        + (to.getNano() - from.getNano()) / 1_000L;
    return Math.max(0, Math.min(MAX_MICROS, micros));
  }

  void fatal(String nodeId) {
    fatalNodes.incrementAndGet();
  }

  long fatalNodes() {
    return fatalNodes.get();
  }

  long duplicates() {
    return duplicates.get();
  }

  long firesInWindow() {
    return firesInWindow.get();
  }

  long completionsInWindow() {
    return completionsInWindow.get();
  }

  long skippedDecisions() {
    return skippedDecisions.get();
  }

  /** Slot → commit of the deciding entry, as its leader saw it. */
  Histogram commitLateness() {
    return commitLateness;
  }

  /** Slot → first apply of the deciding entry (the run queued). */
  Histogram fireLateness() {
    return fireLateness;
  }

  Histogram completionLateness() {
    return completionLateness;
  }
}
