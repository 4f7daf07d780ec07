package io.raftcron.sm;

import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.decide;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.grant;
import static io.raftcron.sm.TestCommands.registerNode;
import static io.raftcron.sm.TestCommands.skipDecision;
import static io.raftcron.sm.TestCommands.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.sm.store.SchedulerStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Snapshots: a checkpoint of the store that another replica's store can be replaced with. */
class SchedulerStateMachineTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final SchedulerStateMachine.ApplyListener IGNORE = (i, c, r) -> {};

  /** Five entries: two jobs, a fire of two slots, a lease, a skip and a node. */
  private static final List<Command> LOG =
      List.of(
          create(T0, spec("tens", "*/10 * * * * *")),
          create(T0, spec("lazy", "* * * * * *", MisfirePolicy.SKIP)),
          fire(T0.plusSeconds(21), "tens", T0.plusSeconds(10), T0.plusSeconds(20)),
          grant(T0.plusSeconds(22), RunIds.of("tens", T0.plusSeconds(10)), "w1", T0.plusSeconds(52)),
          decide(T0.plusSeconds(22), skipDecision("lazy", T0.plusSeconds(16), 16, "missed")),
          registerNode(T0, "n2"));

  @TempDir Path dir;
  private SchedulerStore leaderStore;
  private SchedulerStore followerStore;
  private SchedulerStateMachine leader;
  private SchedulerStateMachine follower;

  @BeforeEach
  void open() {
    leaderStore = SchedulerStore.open(dir.resolve("leader"));
    followerStore = SchedulerStore.open(dir.resolve("follower"));
    leader = new SchedulerStateMachine(leaderStore, IGNORE);
    follower = new SchedulerStateMachine(followerStore, IGNORE);
  }

  @AfterEach
  void close() {
    leaderStore.close();
    followerStore.close();
  }

  private static void applyLog(SchedulerStateMachine sm, long from, long through) {
    for (long i = from; i <= through; i++) {
      sm.apply(i, LOG.get((int) i - 1).toByteArray());
    }
  }

  /** An empty directory, as the snapshot writer hands one over. */
  private Path snapshotDir() {
    try {
      return Files.createDirectory(dir.resolve("snapshot"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Everything a reader can see of a store, for comparing two of them. */
  private static List<Object> contents(SchedulerStore store) {
    return List.of(
        store.appliedIndex(),
        store.jobs(),
        store.runs("tens", 100),
        store.runs("lazy", 100),
        store.queuedRuns(100),
        store.leasedRuns(),
        store.skipped("tens", 100),
        store.skipped("lazy", 100),
        store.nodes());
  }

  @Test
  void aSnapshotLoadedIntoAFreshStoreGivesTheSameState() {
    applyLog(leader, 1, LOG.size());
    Path snapshot = snapshotDir();

    List<String> files = leader.saveSnapshot(snapshot);
    follower.loadSnapshot(snapshot, leader.appliedIndex());

    assertThat(files).isNotEmpty().allSatisfy(f -> assertThat(f).startsWith("state/"));
    assertThat(files).allSatisfy(f -> assertThat(snapshot.resolve(f)).isRegularFile());
    assertThat(contents(followerStore)).isEqualTo(contents(leaderStore));
    assertThat(followerStore.appliedIndex()).isEqualTo(LOG.size());
    assertThat(followerStore.runs("tens", 100)).hasSize(2);
  }

  @Test
  void aStoreLoadedFromASnapshotAppliesTheRestOfTheLogLikeTheOriginal() {
    applyLog(leader, 1, 3);
    Path snapshot = snapshotDir();
    leader.saveSnapshot(snapshot);
    follower.loadSnapshot(snapshot, 3);

    for (long i = 4; i <= LOG.size(); i++) {
      byte[] entry = LOG.get((int) i - 1).toByteArray();
      CommandResult onLeader = leader.apply(i, entry);
      CommandResult onFollower = follower.apply(i, entry);
      assertThat(onFollower).isEqualTo(onLeader);
    }
    assertThat(contents(followerStore)).isEqualTo(contents(leaderStore));
  }

  @Test
  void aSnapshotAheadOfTheStoreReplacesIt() {
    applyLog(leader, 1, LOG.size());
    applyLog(follower, 1, 2);
    Path snapshot = snapshotDir();
    leader.saveSnapshot(snapshot);

    follower.loadSnapshot(snapshot, LOG.size());

    assertThat(contents(followerStore)).isEqualTo(contents(leaderStore));
  }

  @Test
  void aSnapshotOlderThanTheStoreLeavesTheStoreAsItIs() {
    applyLog(leader, 1, 3);
    Path snapshot = snapshotDir();
    leader.saveSnapshot(snapshot);
    applyLog(leader, 4, LOG.size());
    List<Object> before = contents(leaderStore);

    leader.loadSnapshot(snapshot, 3);

    assertThat(contents(leaderStore)).isEqualTo(before);
    assertThat(leaderStore.appliedIndex()).isEqualTo(LOG.size());
  }

  @Test
  void aSnapshotAtTheStoresOwnIndexLeavesTheStoreAsItIs() {
    applyLog(leader, 1, LOG.size());
    Path snapshot = snapshotDir();
    leader.saveSnapshot(snapshot);
    List<Object> before = contents(leaderStore);

    leader.loadSnapshot(snapshot, LOG.size());

    assertThat(contents(leaderStore)).isEqualTo(before);
  }

  @Test
  void aLoadedSnapshotSurvivesReopeningTheStore() {
    applyLog(leader, 1, LOG.size());
    Path snapshot = snapshotDir();
    leader.saveSnapshot(snapshot);
    follower.loadSnapshot(snapshot, LOG.size());
    List<Object> expected = contents(leaderStore);

    followerStore.close();
    followerStore = SchedulerStore.open(dir.resolve("follower"));

    assertThat(contents(followerStore)).isEqualTo(expected);
  }
}
