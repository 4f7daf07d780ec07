package io.raftcron.sm.applier;

import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.Run;
import java.util.ArrayList;
import java.util.List;

/**
 * A job's active runs (QUEUED, LEASED, RETRY_WAIT) for its overlap policy, found through the ACTIVE index rather than
 * by scanning history, so a long row of skipped runs cannot hide a running one. Only the policies that read the index
 * (forbid, buffer-one, replace) keep it: a run is marked when a fire, trigger or backfill creates it, and the index is
 * rebuilt when a job comes to read it. An allow job's runs are not marked: a write at every fire that nothing reads.
 * Entries of finished runs are dropped when seen.
 */
final class ActiveRuns {
  /** Index entries read per overlap check. */
  static final int MAX_ACTIVE_SCAN = 10_000;

  private ActiveRuns() {}

  /** Whether the spec's overlap policy reads the index, so that its job keeps it. */
  static boolean indexed(JobSpec spec) {
    return switch (spec.getOverlap()) {
      case FORBID, BUFFER_ONE, REPLACE -> true;
      default -> false; // ALLOW, unspecified
    };
  }

  /** Marks a run that {@code job} has just created, if the job keeps the index. */
  static void mark(ApplyContext ctx, Job job, Run run) {
    if (indexed(job.getSpec())) {
      ctx.batch().markActive(run);
    }
  }

  /**
   * Indexes the active runs under a job's name, for a job that comes to read the index: updated from a policy that did
   * not, or created under the name of a deleted job whose runs may still be active. Costs a key-only scan of the whole
   * queue and retry families on every replica, bounded by the cluster's backlog: acceptable once per such update, a
   * rare admin operation, where the index it spares cost a write at every fire.
   */
  static void startIndexing(ApplyContext ctx, String job) {
    ctx.batch().reindexActive(job);
  }

  /** The job's active runs, oldest first; drops the index entries of runs that have finished. */
  static List<Run> of(ApplyContext ctx, String job) {
    List<Run> active = new ArrayList<>();
    for (Run run : ctx.batch().markedActive(job, MAX_ACTIVE_SCAN)) {
      if (Cancellation.isActive(run)) {
        active.add(run);
      } else {
        ctx.batch().unmarkActive(run);
      }
    }
    return active;
  }
}
