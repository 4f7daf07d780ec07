package io.raftcron.bench;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What the nodes committed, seen through their apply callbacks. A fire decision or a completion
 * counts when the first node applies it (the leader, normally: it applies right after the commit),
 * so lateness is "slot → fire committed and applied". Each node keeps its own set of fired run
 * ids: a run id fired twice on one node is a duplicate (the state machine refuses them, so any is
 * a bug). Only slots inside the measurement window are counted and timed.
 */
final class FireLedger {
  private static final long MAX_MICROS = 3_600_000_000L;

  private final Map<String, Set<String>> firedByNode = new ConcurrentHashMap<>();
  private final Set<String> fired = ConcurrentHashMap.newKeySet();
  private final Set<String> completed = ConcurrentHashMap.newKeySet();
  private final Histogram fireLateness = new ConcurrentHistogram(MAX_MICROS, 3);
  private final Histogram completionLateness = new ConcurrentHistogram(MAX_MICROS, 3);
  private final AtomicLong duplicates = new AtomicLong();
  private final AtomicLong firesInWindow = new AtomicLong();
  private final AtomicLong completionsInWindow = new AtomicLong();
  private final AtomicLong skippedDecisions = new AtomicLong();
  private final AtomicLong fatalNodes = new AtomicLong();
  private volatile Instant windowStart = Instant.MAX;
  private volatile Instant windowEnd = Instant.MAX;
  // Failover: the first fire committed after `watchFrom` by a leader other than `watchExcluded`.
  private volatile Instant watchFrom;
  private volatile String watchExcluded;
  private volatile CompletableFuture<Instant> firstFireAfterWatch = new CompletableFuture<>();

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
    Set<String> mine = firedByNode.computeIfAbsent(nodeId, n -> ConcurrentHashMap.newKeySet());
    return (index, command, result) -> {
      switch (command.getOpCase()) {
        case FIRE_SLOTS -> onFire(mine, command, command.getFireSlots(), result);
        case COMPLETE_RUNS -> onComplete(result);
        default -> {}
      }
    };
  }

  private void onFire(Set<String> mine, Command command, FireSlots fire, CommandResult result) {
    Instant now = Instant.now();
    for (int i = 0; i < fire.getDecisionsCount(); i++) {
      SlotDecision decision = fire.getDecisions(i);
      ItemResult item = result.getItems(i);
      if (item.getCode() != ResultCode.OK) {
        continue;
      }
      if (!decision.getFire()) {
        skippedDecisions.incrementAndGet();
        continue;
      }
      String runId = item.getRun().getRunId();
      if (!mine.add(runId)) {
        duplicates.incrementAndGet();
      }
      if (!fired.add(runId)) {
        continue; // another node applied it first
      }
      Instant watch = watchFrom;
      if (watch != null && !now.isBefore(watch) && !command.getLeaderNode().equals(watchExcluded)) {
        firstFireAfterWatch.complete(now);
      }
      Instant slot = Times.toInstant(decision.getSlot());
      if (inWindow(slot)) {
        firesInWindow.incrementAndGet();
        fireLateness.recordValue(micros(slot, now));
      }
    }
  }

  private void onComplete(CommandResult result) {
    Instant now = Instant.now();
    for (ItemResult item : result.getItemsList()) {
      if (item.getCode() != ResultCode.OK || !item.hasRun()) {
        continue;
      }
      Instant slot = Times.toInstant(item.getRun().getSlot());
      if (completed.add(item.getRun().getRunId() + "#" + item.getRun().getAttempt()) && inWindow(slot)) {
        completionsInWindow.incrementAndGet();
        completionLateness.recordValue(micros(slot, now));
      }
    }
  }

  private boolean inWindow(Instant slot) {
    return !slot.isBefore(windowStart) && slot.isBefore(windowEnd);
  }

  private static long micros(Instant from, Instant to) {
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

  Histogram fireLateness() {
    return fireLateness;
  }

  Histogram completionLateness() {
    return completionLateness;
  }
}
