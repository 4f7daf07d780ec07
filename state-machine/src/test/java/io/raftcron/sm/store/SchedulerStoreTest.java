package io.raftcron.sm.store;

import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.delete;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.grant;
import static io.raftcron.sm.TestCommands.spec;
import static io.raftcron.sm.TestCommands.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftcron.proto.Job;
import io.raftcron.proto.Run;
import io.raftcron.sm.AppliedStoreTest;
import io.raftcron.sm.Times;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The store's reads and its all-or-nothing writes. */
class SchedulerStoreTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @BeforeEach
  void applyHistory() {
    apply(create(T0, spec("a", "* * * * * *")));
    apply(create(T0, spec("a-b", "* * * * * *")));
    apply(fire(T0.plusSeconds(3), "a", T0.plusSeconds(1), T0.plusSeconds(2), T0.plusSeconds(3)));
    apply(fire(T0.plusSeconds(3), "a-b", T0.plusSeconds(1)));
  }

  @Test
  void aJobsRunsComeNewestFirstAndStopAtTheLimit() {
    assertThat(store.runs("a", 2))
        .extracting(r -> Times.toInstant(r.getSlot()))
        .containsExactly(T0.plusSeconds(3), T0.plusSeconds(2));
  }

  @Test
  void aJobsRunsDoNotIncludeTheRunsOfAJobWhoseNameExtendsIt() {
    assertThat(store.runs("a", 10)).extracting(Run::getJob).containsOnly("a").hasSize(3);
    assertThat(store.runs("a-b", 10)).extracting(Run::getJob).containsExactly("a-b");
  }

  @Test
  void aScanLimitBoundsTheRunsReadNotOnlyThoseReturned() {
    // "a" has runs at +3, +2, +1: among its newest 2 only +2 passes, though +1 would too.
    assertThat(store.runs("a", 5, 2, run -> !Times.toInstant(run.getSlot()).equals(T0.plusSeconds(3))))
        .extracting(r -> Times.toInstant(r.getSlot()))
        .containsExactly(T0.plusSeconds(2));
    assertThat(store.runs("a", 5, 3, run -> true)).hasSize(3);
  }

  @Test
  void jobNamesComeInPagesAfterTheGivenName() {
    apply(create(T0, spec("b", "* * * * * *")));
    assertThat(store.jobNames("", 2)).containsExactly("a", "a-b");
    assertThat(store.jobNames("a-b", 2)).containsExactly("b");
    assertThat(store.jobNames("b", 2)).isEmpty();
    assertThat(store.jobNames("a-a", 1)).as("after a name that is no job").containsExactly("a-b");
  }

  @Test
  void queuedRunsComeOldestSlotFirst() {
    assertThat(store.queuedRuns(10))
        .extracting(r -> Times.toInstant(r.getSlot()))
        .isSorted()
        .hasSize(4);
  }

  @Test
  void theQueuedCountStopsAtItsLimit() {
    assertThat(store.queuedCount()).isEqualTo(4);
    assertThat(store.queuedCount(10)).isEqualTo(4);
    assertThat(store.queuedCount(3)).isEqualTo(3);
  }

  @Test
  void aLeasedRunLeavesTheQueuedCountForTheLeasedCount() {
    assertThat(store.leasedCount()).isZero();
    String runId = store.queuedRuns(1).get(0).getRunId();
    apply(grant(T0.plusSeconds(4), runId, "w1", T0.plusSeconds(60)));
    assertThat(store.queuedCount()).isEqualTo(3);
    assertThat(store.leasedCount()).isEqualTo(1);
  }

  @Test
  void aBatchIsInvisibleUntilCommitted() {
    StoreBatch batch = store.batch();
    batch.deleteJob("a");

    assertThat(batch.job("a")).isEmpty();
    assertThat(store.job("a")).isPresent();

    store.commit(batch, 5);

    assertThat(store.job("a")).isEmpty();
    assertThat(store.appliedIndex()).isEqualTo(5);
  }

  @Test
  void theJobCountFollowsCreatesAndDeletesOnlyAndIsRecountedWhenAStoreOpens() {
    apply(create(T0, spec("a", "@every 1h"))); // refused: exists already
    apply(update(T0, spec("a", "@every 1h"), job("a").getVersion()));
    apply(delete(T0, "no-such-job", 0));
    assertThat(store.jobCount()).isEqualTo(2);

    apply(delete(T0, "a-b", 0));
    assertThat(store.jobCount()).isEqualTo(1);
    Path checkpoint = dir.resolve("checkpoint");
    store.checkpoint(checkpoint);
    apply(create(T0, spec("c", "@every 1h")));
    assertThat(store.jobCount()).isEqualTo(2);

    store.close();
    store = SchedulerStore.open(dir.resolve("db"));
    assertThat(store.jobCount()).isEqualTo(2);
    store.replaceWith(checkpoint);
    assertThat(store.jobCount()).isEqualTo(1);
  }

  @Test
  void readsOfAJobSeeEachCommittedVersionThroughTheJobCache() {
    long created = job("a").getVersion(); // read once: cached
    apply(update(T0, spec("a", "@every 1h"), created));
    assertThat(store.job("a").orElseThrow().getSpec().getSchedule()).isEqualTo("@every 1h");
    Path checkpoint = dir.resolve("checkpoint");
    store.checkpoint(checkpoint);

    apply(delete(T0, "a", 0));
    assertThat(store.job("a")).isEmpty();
    store.replaceWith(checkpoint);
    assertThat(store.job("a").orElseThrow().getSpec().getSchedule()).isEqualTo("@every 1h");
  }

  @Test
  void aJobReadBeforeACommitThatWroteJobsIsNotCached() {
    JobCache cache = new JobCache(10);
    long readAt = cache.generation();
    Job stale = job("a");
    cache.committed(Map.of("a", stale.toBuilder().setVersion(99).build()), Set.of("a")::contains);

    cache.offer("a", stale, readAt);

    assertThat(cache.get("a").getVersion()).isEqualTo(99);
  }

  @Test
  void aCachedJobWhoseCursorMovedIsReadWithTheNewCursorAndItsCommittedRest() {
    Job before = store.job("a").orElseThrow(); // cached
    apply(fire(T0.plusSeconds(5), "a", T0.plusSeconds(4), T0.plusSeconds(5)));

    Job after = store.job("a").orElseThrow();
    assertThat(Times.toInstant(after.getCursor())).isEqualTo(T0.plusSeconds(5));
    assertThat(after.getFiredCount()).isEqualTo(before.getFiredCount() + 2);
    assertThat(after.toBuilder().clearCursor().clearFiredCount().build())
        .isEqualTo(before.toBuilder().clearCursor().clearFiredCount().build());
    assertThat(store.job("a")).containsSame(after); // built once, until the cursor moves again
  }

  @Test
  void aBatchThatRewritesAJobAndThenMovesItsCursorLeavesTheRewrittenJobCached() {
    Job cached = store.job("a").orElseThrow();
    StoreBatch batch = store.batch();
    batch.putJob(cached.toBuilder().setPaused(true).setVersion(cached.getVersion() + 1).build());
    Job moved = batch.putCursor(batch.job("a").orElseThrow(), Times.toTimestamp(T0.plusSeconds(9)), 7, 1);
    store.commit(batch, store.appliedIndex() + 1);

    assertThat(store.job("a")).contains(moved);
    assertThat(moved.getPaused()).isTrue();
    assertThat(Times.toInstant(moved.getCursor())).isEqualTo(T0.plusSeconds(9));
  }

  @Test
  void aCursorMoveOfAJobNotCachedCachesTheJobAsWritten() {
    JobCache cache = new JobCache(10);
    Job job = job("a");
    Job moved = job.toBuilder().setFiredCount(job.getFiredCount() + 1).build();

    cache.committed(Map.of("a", moved), name -> false);

    assertThat(cache.get("a")).isSameAs(moved);
  }

  @Test
  void aCheckpointThatCannotBeOpenedLeavesTheOldStoreInPlaceAndOpen() throws Exception {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Files.writeString(broken.resolve("CURRENT"), "MANIFEST-000999\n"); // names a manifest that is not there

    assertThatThrownBy(() -> store.replaceWith(broken)).isInstanceOf(RuntimeException.class);

    assertThat(store.appliedIndex()).isEqualTo(4);
    assertThat(store.runs("a", 10)).hasSize(3);
    apply(create(T0, spec("after", "@every 1h"))); // still open for writes
    assertThat(store.job("after")).isPresent();
    try (var left = Files.list(dir)) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("db."));
    }
  }

  @Test
  void anInstallKilledBetweenItsRenamesIsRolledBackWhenTheStoreOpens() throws Exception {
    store.close();
    Path db = dir.resolve("db");
    Files.move(db, dir.resolve("db.previous")); // the live store moved aside, the new one not in place yet
    Files.createDirectories(dir.resolve("db.incoming"));

    store = SchedulerStore.open(db);

    assertThat(store.appliedIndex()).isEqualTo(4);
    assertThat(store.runs("a", 10)).hasSize(3);
    assertThat(dir.resolve("db.previous")).doesNotExist();
    assertThat(dir.resolve("db.incoming")).doesNotExist();
  }

  @Test
  void replacingTheStoreWithAMissingCheckpointFailsAndKeepsTheStore() {
    assertThatThrownBy(() -> store.replaceWith(dir.resolve("no-such-checkpoint")))
        .isInstanceOf(RuntimeException.class);

    assertThat(store.appliedIndex()).isEqualTo(4);
    assertThat(store.runs("a", 10)).hasSize(3);
  }
}
