package io.raftcron.sm.store;

import static io.raftcron.sm.TestCommands.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Job;
import io.raftcron.proto.Run;
import io.raftcron.sm.Times;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A store of data format 1 opens in the current format, converted in place. */
class FormatUpgradeTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  /** A job as format 1 stored it, cursor and counters inside; every third one paused. */
  private static Job format1Job(int i) {
    Job.Builder job = Job.newBuilder()
        .setSpec(spec(String.format("job-%05d", i), "@every 1s"))
        .setVersion(i + 1)
        .setCreatedAt(Times.toTimestamp(T0))
        .setUpdatedAt(Times.toTimestamp(T0.plusSeconds(i)))
        .setCursor(Times.toTimestamp(T0.plusSeconds(i).plusNanos(i)))
        .setFiredCount(i)
        .setSkippedCount(i / 2);
    if (i % 3 == 0) {
      job.setPaused(true).setPausedAt(Times.toTimestamp(T0.plusSeconds(i)));
    }
    return job.build();
  }

  private static List<Job> format1Jobs(int count) {
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      jobs.add(format1Job(i));
    }
    return jobs;
  }

  private static byte[] key(Job job) {
    return Keys.job(job.getSpec().getName());
  }

  /** Writes a format-1 store at applied index 100 holding {@code jobs}; {@code converted} ones as format 2 has them. */
  private Path writeFormat1(List<Job> jobs, List<Job> converted) throws Exception {
    Path db = dir.resolve("db");
    RawStore.write(db, store -> {
      store.put(Family.META, Keys.FORMAT_VERSION, Keys.longBytes(1));
      store.put(Family.META, Keys.APPLIED_INDEX, Keys.longBytes(100));
      for (Job job : jobs) {
        if (converted.contains(job)) {
          store.put(Family.JOBS, key(job), JobRecords.withoutCursor(job));
          store.put(Family.CURSORS, key(job), JobRecords.cursor(job));
        } else {
          store.put(Family.JOBS, key(job), job.toByteArray());
        }
      }
    });
    return db;
  }

  @Test
  void aFormat1StoreOfMoreJobsThanAPageOpensInFormat2WithTheSameJobs() throws Exception {
    List<Job> jobs = format1Jobs(FormatUpgrade.PAGE_JOBS + 1);

    try (SchedulerStore store = SchedulerStore.open(writeFormat1(jobs, List.of()))) {
      assertThat(store.formatVersion()).isEqualTo(2);
      assertThat(store.appliedIndex()).isEqualTo(100);
      assertThat(store.jobCount()).isEqualTo(jobs.size());
      assertThat(store.jobs()).isEqualTo(jobs);
      assertThat(store.jobs("job-00006", 2)).containsExactly(jobs.get(7), jobs.get(8));
      Job last = jobs.get(jobs.size() - 1);
      assertThat(SchedulerStore.parse(store.get(Family.JOBS, key(last)), Job.parser()))
          .as("the job record without its cursor and counters")
          .isEqualTo(last.toBuilder().clearCursor().clearFiredCount().clearSkippedCount().build());
    }
    try (SchedulerStore reopened = SchedulerStore.open(dir.resolve("db"))) {
      assertThat(reopened.jobs()).as("opened again: nothing left to convert").isEqualTo(jobs);
    }
  }

  @Test
  void anUpgradeKilledAfterSomeJobsIsCompletedWhenTheStoreOpensAgain() throws Exception {
    List<Job> jobs = format1Jobs(4);

    try (SchedulerStore store = SchedulerStore.open(writeFormat1(jobs, List.of(jobs.get(0), jobs.get(1))))) {
      assertThat(store.jobs()).isEqualTo(jobs);
      assertThat(store.formatVersion()).isEqualTo(2);
    }
  }

  @Test
  void aStoreThatRecordedNoFormatIsFormat1() throws Exception {
    List<Job> jobs = format1Jobs(2);
    Path db = dir.resolve("db");
    RawStore.write(db, store -> {
      for (Job job : jobs) {
        store.put(Family.JOBS, key(job), job.toByteArray());
      }
    });

    try (SchedulerStore store = SchedulerStore.open(db)) {
      assertThat(store.jobs()).isEqualTo(jobs);
      assertThat(store.job("job-00001")).contains(jobs.get(1));
      assertThat(store.formatVersion()).isEqualTo(2);
    }
  }

  @Test
  void aFormat1JobWhoseCursorIsBehindItsNamesRunsKnowsHowFarTheyReach() throws Exception {
    Job behind = format1Job(1); // cursor T0+1s (and 1 ns)
    Instant newestRun = T0.plusSeconds(7);
    Path db = writeFormat1(List.of(behind), List.of());
    RawStore.write(db, store -> {
      for (Instant slot : List.of(T0.plusSeconds(5), newestRun)) {
        Run run = Run.newBuilder().setJob(behind.getSpec().getName()).setSlot(Times.toTimestamp(slot)).build();
        store.put(Family.RUNS, Keys.jobTime(run.getJob(), slot), run.toByteArray());
      }
    });

    try (SchedulerStore store = SchedulerStore.open(db)) {
      assertThat(store.jobs()).containsExactly(behind.toBuilder().setInheritedRunsUntil(Times.toTimestamp(newestRun)).build());
    }
  }
}
