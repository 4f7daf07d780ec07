package io.raftcron.sm.store;

import io.raftcron.proto.Job;
import io.raftcron.sm.Times;
import java.util.ArrayList;
import java.util.List;

/**
 * Brings a store of an older data format to the current one when it opens (a node's own store, or
 * a snapshot or backup installed from an older node).
 *
 * <p>Format 1 → 2: every job's cursor and counters move out of its Job record into its own record
 * in the cursors family ({@link JobRecords}). Jobs are converted a page at a time, each page in one
 * write (the applied index stays), and the caller records format 2 only after the last page: a
 * bounded series of writes rather than one, which at a million jobs would hold them all in memory.
 * It is safe to interrupt: both records of a job are written together, so a process killed in
 * between leaves a format-1 store whose every job is either untouched or converted, and the next
 * open converts the rest, skipping the jobs that already have a cursor record (a format-1 store
 * has none).
 *
 * <p>The upgrade also records, for a job whose cursor is behind its name's newest run (a job
 * re-created under the name of a deleted one by a leader whose clock was behind the old runs), how
 * far those runs reach ({@code inherited_runs_until}): format 2's fires read a slot's run only up
 * to there (see FireCommands). The job decides exactly what it would have in format 1.
 */
final class FormatUpgrade {
  static final int PAGE_JOBS = 10_000;

  private FormatUpgrade() {}

  static void toFormat2(SchedulerStore store, int pageJobs) {
    String after = "";
    while (true) {
      List<byte[]> keys = new ArrayList<>();
      StoreBatch batch = store.batch();
      store.jobRecordsAfter(after, pageJobs, (key, record) -> {
        keys.add(key);
        if (store.get(Family.CURSORS, key) == null) {
          batch.putJob(withInheritedRuns(store, SchedulerStore.parse(record, Job.parser())));
        }
      });
      if (keys.isEmpty()) {
        return;
      }
      store.commit(batch, store.appliedIndex());
      after = Keys.jobOf(keys.get(keys.size() - 1));
    }
  }

  private static Job withInheritedRuns(SchedulerStore store, Job job) {
    return store.nthNewestRunSlot(job.getSpec().getName(), 1)
        .filter(newest -> newest.isAfter(Times.toInstant(job.getCursor())))
        .map(newest -> job.toBuilder().setInheritedRunsUntil(Times.toTimestamp(newest)).build())
        .orElse(job);
  }
}
