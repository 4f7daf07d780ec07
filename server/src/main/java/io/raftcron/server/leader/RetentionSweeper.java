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
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History retention on the leader: every {@link #INTERVAL} it passes over the jobs with history for
 * finished runs and skipped ranges beyond their job's retention policy (not among the newest {@code
 * keep_last}, and older than {@code keep_for}) and proposes them in one bounded PurgeRuns entry; the
 * applier re-checks each at the entry's leader time. While there is a backlog the next pass starts
 * right after each entry commits, where the last one stopped. Runs of deleted jobs follow the default
 * policy. Runs only on the leader's executor, a pass in slices ({@link LeaderTerm#inSlices}).
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
  /** Job names read per seek of a pass. */
  private static final int PAGE = 64;

  private final LeaderTerm leader;
  private final Duration firstSweep;
  private final int maxPerCommand;
  private ScheduledFuture<?> timer;
  private boolean closed;
  /** Where the next pass starts: after this job, or at the first if empty. */
  private String resumeAfter = "";

  RetentionSweeper(LeaderTerm leader) {
    this(leader, FIRST_SWEEP, MAX_PER_COMMAND);
  }

  RetentionSweeper(LeaderTerm leader, Duration firstSweep, int maxPerCommand) {
    this.leader = leader;
    this.firstSweep = firstSweep;
    this.maxPerCommand = maxPerCommand;
  }

  void start() {
    schedule(firstSweep);
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
    Pass pass = new Pass(leader.clock().instant(), maxPerCommand, resumeAfter);
    leader
        .inSlices(timeUp -> pass.advance(leader.store(), timeUp), () -> !closed)
        .whenComplete(
            (passed, failure) -> {
              if (closed) {
                return;
              }
              if (failure != null) {
                log.warn("retention sweep failed, trying again later: {}", failure.toString());
                endPass("", INTERVAL);
              } else {
                propose(pass);
              }
            });
  }

  private void propose(Pass pass) {
    int size = pass.size();
    if (size == 0) {
      endPass("", INTERVAL);
      return;
    }
    boolean full = pass.full();
    String next = pass.resumeAfter();
    leader
        .propose(Command.newBuilder().setPurgeRuns(pass.purge()))
        .whenCompleteAsync(
            (result, failure) -> {
              if (failure != null) {
                LeaderTerm.logFailure(log, "purge of " + size + " record(s)", failure);
                endPass("", INTERVAL);
                return;
              }
              long purged = result.getItemsList().stream().filter(i -> i.getCode() == ResultCode.OK).count();
              log.debug("retention purged {} of {} record(s)", purged, size);
              // A full entry means there may be more: go on soon, else wait for the next round.
              boolean backlog = full && purged > 0;
              endPass(backlog ? next : "", backlog ? BACKLOG_PAUSE : INTERVAL);
            },
            leader.executor());
  }

  private void endPass(String nextStartsAfter, Duration delay) {
    resumeAfter = nextStartsAfter;
    schedule(delay);
  }

  /**
   * Finished runs and skipped ranges beyond their job's policy at {@code now}, oldest first within
   * each job, at most {@code max} in all: one whole pass.
   */
  static PurgeRuns candidates(SchedulerStore store, Instant now, int max) {
    Pass pass = new Pass(now, max, "");
    pass.advance(store, () -> false);
    return pass.purge();
  }

  /**
   * One pass over the jobs with history in name order, resumable between steps: what it found so
   * far, and after which job a pass that stops full should go on (the job it filled up in is checked
   * again).
   */
  static final class Pass {
    private final Instant now;
    private final int max;
    private final PurgeRuns.Builder purge = PurgeRuns.newBuilder();
    private String checkedThrough;
    private boolean done;

    Pass(Instant now, int max, String startAfter) {
      this.now = now;
      this.max = max;
      this.checkedThrough = startAfter;
    }

    /**
     * Checks jobs, at least one, until {@code stop} says so after one, the purge is full or no job
     * is left. True when the pass is done.
     */
    boolean advance(SchedulerStore store, BooleanSupplier stop) {
      while (!done) {
        List<String> page = store.jobsWithHistoryAfter(checkedThrough, PAGE);
        done = page.isEmpty();
        for (String job : page) {
          check(store, job);
          if (full()) {
            done = true;
            break;
          }
          checkedThrough = job;
          if (stop.getAsBoolean()) {
            return false;
          }
        }
      }
      return true;
    }

    boolean full() {
      return size() >= max;
    }

    /** The job a full pass's successor starts after. */
    String resumeAfter() {
      return checkedThrough;
    }

    PurgeRuns purge() {
      return purge.build();
    }

    int size() {
      return purge.getRunIdsCount() + purge.getSkippedCount();
    }

    /**
     * One key tells that a job has nothing old enough, before its newest entries are counted: a
     * skipped range is as old as its last slot, a run no older than its slot (a completion stamped
     * earlier, by a worker whose clock is behind, waits for its slot).
     */
    private void check(SchedulerStore store, String job) {
      Optional<JobSpec> spec = store.job(job).map(j -> j.getSpec());
      int keepLast = Retention.keepLast(spec);
      Duration keepFor = Retention.keepFor(spec);
      if (store.oldestRunSlot(job).filter(slot -> Retention.oldEnough(slot, keepFor, now)).isPresent()) {
        store.nthNewestRunSlot(job, keepLast).ifPresent(boundary -> {
          for (Run run : store.oldestRuns(job, MAX_SCAN_PER_JOB)) {
            if (full() || !Times.toInstant(run.getSlot()).isBefore(boundary)) {
              break;
            }
            if (!isActive(run) && Retention.oldEnough(Retention.ageOf(run), keepFor, now)) {
              purge.addRunIds(run.getRunId());
            }
          }
        });
      }
      if (store.oldestSkippedThrough(job).filter(t -> Retention.oldEnough(t, keepFor, now)).isPresent()) {
        store.nthNewestSkippedThrough(job, keepLast).ifPresent(boundary -> {
          for (SkippedSlots skipped : store.oldestSkipped(job, MAX_SCAN_PER_JOB)) {
            Instant through = Times.toInstant(skipped.getThrough());
            if (full() || !through.isBefore(boundary)) {
              break;
            }
            if (Retention.oldEnough(through, keepFor, now)) {
              purge.addSkipped(SkippedRef.newBuilder().setJob(job).setThrough(skipped.getThrough()));
            }
          }
        });
      }
    }

    private static boolean isActive(Run run) {
      return switch (run.getState()) {
        case QUEUED, LEASED, RETRY_WAIT -> true;
        default -> false;
      };
    }
  }
}
