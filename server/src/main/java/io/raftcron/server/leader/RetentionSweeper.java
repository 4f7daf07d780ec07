package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.PurgeRuns;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.SkippedRef;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.sm.Times;
import io.raftcron.sm.applier.Retention;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History retention on the leader: every {@link #INTERVAL} it looks for finished runs and skipped
 * ranges beyond their job's retention policy (not among the newest {@code keep_last}, and older
 * than {@code keep_for}) and proposes them in one bounded PurgeRuns entry; the applier re-checks
 * each at the entry's leader time. While there is a backlog it sweeps again right after each entry
 * commits. Runs of deleted jobs follow the default policy. Runs only on the leader's executor.
 */
final class RetentionSweeper {
  private static final Logger log = LoggerFactory.getLogger(RetentionSweeper.class);
  static final Duration INTERVAL = Duration.ofMinutes(1);
  static final Duration FIRST_SWEEP = Duration.ofSeconds(10);
  static final Duration BACKLOG_PAUSE = Duration.ofMillis(200);
  /** Runs plus skipped ranges per PurgeRuns entry. */
  static final int MAX_PER_COMMAND = 1000;
  /** Entries read per job and family per sweep, so that a job full of young runs costs little. */
  static final int MAX_SCAN_PER_JOB = 5000;

  private final LeaderTerm leader;
  private ScheduledFuture<?> timer;
  private boolean closed;

  RetentionSweeper(LeaderTerm leader) {
    this.leader = leader;
  }

  void start() {
    schedule(FIRST_SWEEP);
  }

  void close() {
    closed = true;
    if (timer != null) {
      timer.cancel(false);
    }
  }

  private void schedule(Duration delay) {
    if (!closed) {
      timer = leader.executor().schedule(this::sweep, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void sweep() {
    if (closed) {
      return;
    }
    PurgeRuns purge;
    try {
      purge = candidates(leader.store(), leader.clock().instant(), MAX_PER_COMMAND);
    } catch (RuntimeException e) {
      log.warn("retention sweep failed, trying again later: {}", e.toString());
      schedule(INTERVAL);
      return;
    }
    int size = purge.getRunIdsCount() + purge.getSkippedCount();
    if (size == 0) {
      schedule(INTERVAL);
      return;
    }
    leader
        .propose(Command.newBuilder().setPurgeRuns(purge))
        .whenCompleteAsync(
            (result, failure) -> {
              if (failure != null) {
                log.warn("purge of {} record(s) failed: {}", size, failure.toString());
                schedule(INTERVAL);
                return;
              }
              long purged = result.getItemsList().stream().filter(i -> i.getCode() == ResultCode.OK).count();
              log.debug("retention purged {} of {} record(s)", purged, size);
              // A full entry means there may be more: go on soon, else wait for the next round.
              schedule(size >= MAX_PER_COMMAND && purged > 0 ? BACKLOG_PAUSE : INTERVAL);
            },
            leader.executor());
  }

  /**
   * Finished runs and skipped ranges beyond their job's policy at {@code now}, oldest first, at
   * most {@code max} in all.
   */
  static PurgeRuns candidates(SchedulerStore store, Instant now, int max) {
    PurgeRuns.Builder purge = PurgeRuns.newBuilder();
    for (String job : store.jobsWithHistory()) {
      if (purge.getRunIdsCount() + purge.getSkippedCount() >= max) {
        break;
      }
      Optional<JobSpec> spec = store.job(job).map(j -> j.getSpec());
      int keepLast = Retention.keepLast(spec);
      Duration keepFor = Retention.keepFor(spec);
      store.nthNewestRunSlot(job, keepLast).ifPresent(boundary -> {
        List<Run> oldest = store.oldestRuns(job, MAX_SCAN_PER_JOB);
        for (Run run : oldest) {
          if (purge.getRunIdsCount() + purge.getSkippedCount() >= max
              || !Times.toInstant(run.getSlot()).isBefore(boundary)) {
            break;
          }
          if (!isActive(run) && Retention.oldEnough(Retention.ageOf(run), keepFor, now)) {
            purge.addRunIds(run.getRunId());
          }
        }
      });
      store.nthNewestSkippedThrough(job, keepLast).ifPresent(boundary -> {
        for (SkippedSlots skipped : store.oldestSkipped(job, MAX_SCAN_PER_JOB)) {
          Instant through = Times.toInstant(skipped.getThrough());
          if (purge.getRunIdsCount() + purge.getSkippedCount() >= max || !through.isBefore(boundary)) {
            break;
          }
          if (Retention.oldEnough(through, keepFor, now)) {
            purge.addSkipped(SkippedRef.newBuilder().setJob(job).setThrough(skipped.getThrough()));
          }
        }
      });
    }
    return purge.build();
  }

  private static boolean isActive(Run run) {
    return switch (run.getState()) {
      case QUEUED, LEASED, RETRY_WAIT -> true;
      default -> false;
    };
  }
}
