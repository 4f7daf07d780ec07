package io.raftcron.bench;

import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The runs of a window's slots, read back through the API from a cluster of server processes,
 * whose callbacks the benchmark cannot see. A job firing every second has one run per slot of the
 * window: the run id is the slot, so a second decision for it would have been refused. Each fired
 * run's {@code fired_at} is its leader's decision time.
 */
final class WindowRuns {
  final Histogram decisionLateness = new Histogram(FireLedger.MAX_MICROS, 3);
  long fired;
  long skipped;

  /**
   * Pauses the first {@code jobs} benchmark jobs, then reads their runs of the window, handing each
   * fired one to {@code eachFired}. Left firing, 40 000 jobs kept the cluster saturated while it was
   * read, and every second of reading added a run to read past for each job: it never finished.
   */
  static WindowRuns read(List<String> endpoints, RaftcronClient client, int jobs, Window window,
      Consumer<Run> eachFired) {
    JobLoader.pauseAll(endpoints, jobs);
    // Newest first, one run a second up to the pause: enough to reach back to the window's first slot.
    int limit = (int) Duration.between(window.start(), Instant.now()).toSeconds() + 5;
    WindowRuns runs = new WindowRuns();
    for (int i = 0; i < jobs; i++) {
      for (Run run : client.listRuns(JobLoader.name(i), limit)) {
        Instant slot = Times.toInstant(run.getSlot());
        if (slot.isBefore(window.start()) || !slot.isBefore(window.end())) {
          continue;
        }
        if (run.getState() == RunState.SKIPPED) {
          runs.skipped++;
          continue;
        }
        runs.fired++;
        runs.decisionLateness.recordValue(FireLedger.micros(slot, Times.toInstant(run.getFiredAt())));
        eachFired.accept(run);
      }
    }
    return runs;
  }

  /** Slots of the window neither fired nor skipped. */
  long missed(int jobs, Window window) {
    return Math.max(0, (long) jobs * window.seconds() - fired - skipped);
  }
}
