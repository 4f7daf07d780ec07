package io.raftcron.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.raftcron.raft.TestCluster.Member;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(90)
class RaftNodeTest {

  @TempDir Path tmp;
  private TestCluster cluster;

  @AfterEach
  void closeCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static byte[] bytes(String payload) {
    return payload.getBytes(UTF_8);
  }

  private static Object result(CompletableFuture<?> future) throws Exception {
    return future.get(20, SECONDS);
  }

  private Member follower() {
    return cluster.running().filter(m -> !m.node.isLeader()).findFirst().orElseThrow();
  }

  @Test
  void electsOneLeaderAndCommitsOnAllThree() throws Exception {
    cluster = new TestCluster(tmp, 3).startAll();
    Member leader = cluster.awaitLeader();

    assertThat(leader.node.role()).isEqualTo("LEADER");
    assertThat(leader.node.leaderTerm()).isEqualTo(leader.node.currentTerm()).isPositive();
    assertThat(result(leader.node.propose(bytes("a"), leader.node.leaderTerm()))).isEqualTo("fired");
    assertThat(result(leader.node.propose(bytes("a"), leader.node.leaderTerm()))).isEqualTo("duplicate");

    // The commit callback runs once the quorum holds the entry, before the leader applies it.
    List<Boolean> appliedWhenCommitted = new CopyOnWriteArrayList<>();
    assertThat(result(leader.node.propose(bytes("b"), leader.node.leaderTerm(),
        () -> appliedWhenCommitted.add(leader.sm.ledger().containsKey("b"))))).isEqualTo("fired");
    assertThat(appliedWhenCommitted).containsExactly(false);

    cluster.awaitLedgersEqual(List.of("a", "b"));
    assertThat(cluster.running().filter(m -> m.node.isLeader())).containsExactly(leader);
    assertThat(cluster.running().filter(m -> m != leader).map(m -> m.node.role())).containsOnly("FOLLOWER");
  }

  @Test
  void staleExpectedTermIsRejectedAndNothingIsApplied() throws Exception {
    cluster = new TestCluster(tmp, 3).startAll();
    Member leader = cluster.awaitLeader();
    long term = leader.node.leaderTerm();

    AtomicInteger commits = new AtomicInteger();
    for (long wrongTerm : new long[] {term - 1, term + 1}) {
      assertThat(leader.node.propose(bytes("stale"), wrongTerm, commits::incrementAndGet))
          .failsWithin(20, SECONDS)
          .withThrowableOfType(ExecutionException.class)
          .havingCause()
          .isInstanceOf(ProposalFailedException.class)
          .withMessageContaining("expected_term=" + wrongTerm);
    }
    result(leader.node.propose(bytes("fresh"), term));
    assertThat(commits).as("a refused proposal never commits").hasValue(0);

    cluster.awaitLedgersEqual(List.of("fresh"));
    cluster.running().forEach(m -> assertThat(m.sm.ledger()).containsOnlyKeys("fresh"));
  }

  @Test
  void followerRefusesProposalsAndNamesTheLeader() {
    cluster = new TestCluster(tmp, 3).startAll();
    Member leader = cluster.awaitLeader();
    Member follower = follower();
    await().atMost(TestCluster.WAIT).until(() -> follower.node.leaderAddress().isPresent());

    assertThat(follower.node.propose(bytes("x"), leader.node.leaderTerm()))
        .failsWithin(5, SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(NotLeaderException.class,
            e -> assertThat(e.leaderAddress()).contains(leader.node.raftAddress()));
    assertThat(follower.node.leaderAddress()).contains(leader.addr);
  }

  /**
   * Proposals go on while both followers stop, until one fails: those appended once the quorum is gone stay pending
   * until the leader steps down, and then fail as leadership lost; once it has stepped down, a proposal is refused as
   * not the leader.
   */
  @Test
  void proposalsInFlightWhenTheLeaderStepsDownFailAsLeadershipLost() throws Exception {
    cluster = new TestCluster(tmp, 3).startAll();
    Member leader = cluster.awaitLeader();
    long term = leader.node.leaderTerm();
    List<Member> followers = cluster.running().filter(m -> m != leader).toList();
    CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> followers.forEach(Member::stop));

    List<CompletableFuture<Object>> proposals = new ArrayList<>();
    CompletableFuture<Object> last;
    do {
      last = leader.node.propose(bytes("p" + proposals.size()), term);
      proposals.add(last);
      Thread.sleep(5);
    } while (!last.isDone() || !last.isCompletedExceptionally());
    stopped.get(60, SECONDS);

    CompletableFuture.allOf(proposals.stream().map(p -> p.exceptionally(failure -> null)).toArray(CompletableFuture[]::new))
        .get(20, SECONDS);
    List<Throwable> failures = proposals.stream().filter(CompletableFuture::isCompletedExceptionally)
        .map(p -> p.handle((result, failure) -> failure).join()).toList();
    assertThat(failures).hasAtLeastOneElementOfType(LeadershipLostException.class)
        .allSatisfy(f -> assertThat(f).isInstanceOfAny(LeadershipLostException.class, NotLeaderException.class));
    assertThat(failures).filteredOn(f -> f instanceof LeadershipLostException)
        .allSatisfy(f -> assertThat(f).hasMessageContaining("Leader stepped down"));
    await().atMost(TestCluster.WAIT).until(() -> !leader.node.isLeader());
    assertThat(leader.node.propose(bytes("after"), term))
        .failsWithin(5, SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(NotLeaderException.class);
  }

  /**
   * A scheduler loop started from onLeaderStart proposes slot-1, slot-2, ... with its term. After a failover the new
   * leader re-proposes the last slot it finds, which the ledger refuses, and continues; the old leader, restarted on its
   * data, catches up without applying an entry twice.
   */
  @Test
  void failoverContinuesTheScheduleAndRestartedNodeCatchesUp() throws Exception {
    cluster = new TestCluster(tmp, 3);
    AtomicInteger target = new AtomicInteger(5);
    List<String> outcomes = new CopyOnWriteArrayList<>();
    ExecutorService loops = Executors.newCachedThreadPool();
    cluster.leaderStartHook = (member, term) -> loops.execute(() -> schedule(member, term, target, outcomes));
    try {
      cluster.startAll();
      Member first = cluster.awaitLeader();
      cluster.awaitLedgersEqual(slots(1, 5));
      long firstTerm = first.node.leaderTerm();

      target.set(10);
      first.stop();
      Member second = cluster.awaitLeader();
      assertThat(second.startedTerms).anyMatch(term -> term > firstTerm);
      cluster.awaitLedgersEqual(slots(1, 10));
      // Outcomes are "term slot-n result"; a later leader (even after a further election) refused the repeat.
      assertThat(outcomes).anyMatch(o -> o.endsWith(" slot-5 duplicate") && termOf(o) > firstTerm);
      assertThat(outcomes).anyMatch(o -> o.endsWith(" slot-6 fired") && termOf(o) > firstTerm);
      assertThat(first.stoppedTerms).contains(firstTerm);

      long appliedBeforeRestart = new LedgerStateMachine(first.dir.resolve("ledger-state.txt")).appliedIndex();
      assertThat(appliedBeforeRestart).isPositive();
      first.start();
      cluster.awaitLedgersEqual(slots(1, 10));
      // Replay started at index 1 (no snapshot); everything up to the persisted applied index was skipped.
      assertThat(first.sm.applyCalls).isNotEmpty().allMatch(index -> index > appliedBeforeRestart);
      cluster.running().forEach(m -> {
        assertThat(m.sm.ledger()).containsOnlyKeys(slots(1, 10));
        assertThat(m.sm.applyCalls).doesNotHaveDuplicates();
      });
    } finally {
      target.set(0);
      loops.shutdownNow();
    }
  }

  private static long termOf(String outcome) {
    return Long.parseLong(outcome.substring(0, outcome.indexOf(' ')));
  }

  private static List<String> slots(int from, int to) {
    return IntStream.rangeClosed(from, to).mapToObj(n -> "slot-" + n).toList();
  }

  /** The leader loop: runs on its own thread, proposes with the term it was started for, stops when it ends. */
  private static void schedule(Member member, long term, AtomicInteger target, List<String> outcomes) {
    RaftNode node = member.node;
    int slot = Math.max(1, member.sm.lastSlot()); // re-propose the last decided slot: the ledger must refuse it
    for (int attempt = 0; attempt < 100 && slot <= target.get() && node.leaderTerm() == term; attempt++) {
      try {
        Object result = node.propose(bytes("slot-" + slot), term).get(10, SECONDS);
        outcomes.add(term + " slot-" + slot + " " + result);
        slot++;
      } catch (Exception e) {
        // unknown outcome: retry the same slot while still leading this term; the ledger dedupes
      }
    }
  }

  @Test
  void aSnapshotIsTakenEveryNEntriesAndARestartPastItLeavesItsFilesUnread() throws Exception {
    cluster = new TestCluster(tmp, 3);
    for (Member member : cluster.members) {
      member.start(member.config().withSnapshotLogEntries(20));
    }
    Member leader = cluster.awaitLeader();
    List<String> first = IntStream.rangeClosed(1, 30).mapToObj(i -> "e" + i).toList();
    for (String p : first) {
      result(leader.node.propose(bytes(p), leader.node.leaderTerm()));
    }
    cluster.awaitLedgersEqual(first);
    // The timer is off: every node took its own snapshot because 20 entries were applied.
    await().atMost(java.time.Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      for (Member member : cluster.members) {
        assertThat(member.snapshotIndex()).isGreaterThanOrEqualTo(20);
      }
    });

    Member follower = follower();
    long snapshotIndex = follower.snapshotIndex();
    follower.stop();
    // The follower's own state is past its snapshot, so a restart keeps that state and never reads (or verifies)
    // the snapshot's files: a damaged one does not stop it.
    Path file = follower.dir.resolve("raft/snapshot/snapshot_" + snapshotIndex + "/sm/ledger/entries.txt");
    Files.writeString(file, "damaged", java.nio.file.StandardOpenOption.APPEND);
    follower.start(follower.config().withSnapshotLogEntries(20));
    for (String p : List.of("f1", "f2")) {
      result(leader.node.propose(bytes(p), leader.node.leaderTerm()));
    }
    cluster.awaitLedgersEqual(List.of("e1", "e30", "f1", "f2"));
    assertThat(follower.fatalErrors).isEmpty();
    assertThat(follower.sm.snapshotLoads).containsExactly(snapshotIndex);
  }

  @Test
  void restartLoadsTheSnapshotAndReplaysOnlyLaterEntries() throws Exception {
    cluster = new TestCluster(tmp, 3).startAll();
    Member leader = cluster.awaitLeader();
    for (String p : List.of("p1", "p2", "p3")) {
      result(leader.node.propose(bytes(p), leader.node.leaderTerm()));
    }
    cluster.awaitLedgersEqual(List.of("p1", "p2", "p3"));
    Member follower = follower();
    result(follower.node.snapshot());
    result(follower.node.snapshot()); // nothing new since: completes without a second snapshot
    long snapshotIndex = follower.snapshotIndex();
    for (String p : List.of("p4", "p5")) {
      result(leader.node.propose(bytes(p), leader.node.leaderTerm()));
    }
    cluster.awaitLedgersEqual(List.of("p4", "p5"));

    // Lose the follower's state: the snapshot plus the log after it must rebuild it.
    follower.stop();
    Files.delete(follower.dir.resolve("ledger-state.txt"));
    follower.start();

    cluster.awaitLedgersEqual(List.of("p1", "p2", "p3", "p4", "p5"));
    assertThat(follower.sm.snapshotLoads).containsExactly(snapshotIndex);
    assertThat(follower.sm.applyCalls)
        .containsExactly(leader.sm.ledger().get("p4"), leader.sm.ledger().get("p5"));
  }

  @Test
  void followerThatLostItsDataInstallsTheLeadersSnapshot() throws Exception {
    cluster = new TestCluster(tmp, 3).startAll();
    Member leader = cluster.awaitLeader();
    Member follower = follower();
    follower.stop();
    deleteRecursively(follower.dir);

    List<String> written = new ArrayList<>();
    for (int round = 0; round < 2; round++) {
      for (int i = 0; i < 3; i++) {
        String payload = "r" + round + "-" + i;
        result(leader.node.propose(bytes(payload), leader.node.leaderTerm()));
        written.add(payload);
      }
      // The second snapshot truncates the log up to the first, so the follower cannot be sent entries from index 1.
      result(leader.node.snapshot());
    }
    long snapshotIndex = leader.snapshotIndex();
    follower.start();

    cluster.awaitLedgersEqual(written);
    assertThat(follower.sm.snapshotLoads).containsExactly(snapshotIndex);
    assertThat(follower.sm.applyCalls).isEmpty();
  }

  @Test
  void readIndexOnFollowerSeesTheLeadersLatestWrite() throws Exception {
    cluster = new TestCluster(tmp, 3).startAll();
    Member leader = cluster.awaitLeader();
    Member follower = follower();
    for (int i = 0; i < 20; i++) {
      String payload = "w" + i;
      result(leader.node.propose(bytes(payload), leader.node.leaderTerm()));
      result(follower.node.readIndex());
      assertThat(follower.sm.ledger()).containsKey(payload);
    }
  }

  @Test
  void applyFailureStopsTheNodeWithoutSkippingTheEntry() throws Exception {
    cluster = new TestCluster(tmp, 1);
    Member single = cluster.members[0];
    single.start(single.config().withMaxInflightProposals(2));
    cluster.awaitLeader();
    RaftNode node = single.node;
    long term = node.leaderTerm();

    List<CompletableFuture<Object>> burst = IntStream.range(0, 50)
        .mapToObj(i -> node.propose(bytes("burst-" + i), term)).toList();
    assertThat(burst).anySatisfy(f -> assertThat(f).failsWithin(1, SECONDS)
        .withThrowableOfType(ExecutionException.class).withMessageContaining("overloaded"));
    for (CompletableFuture<Object> f : burst) {
      f.handle((result, failure) -> null).get(20, SECONDS);
    }

    long appliedBefore = single.sm.appliedIndex();
    assertThat(node.propose(bytes(LedgerStateMachine.POISON), term))
        .failsWithin(20, SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(ProposalFailedException.class);
    await().atMost(TestCluster.WAIT).until(() -> single.fatalErrors.size() == 1);
    assertThat(single.fatalErrors.get(0)).isInstanceOf(IllegalArgumentException.class);
    assertThat(single.sm.appliedIndex()).isEqualTo(appliedBefore);
    assertThat(node.appliedIndex()).isEqualTo(appliedBefore);
    await().atMost(TestCluster.WAIT).until(() -> node.role().equals("ERROR") && !node.isLeader());
    assertThat(single.stoppedTerms).containsExactly(term);

    node.close();
    node.close();
    assertThat(node.propose(bytes("late"), term))
        .failsWithin(1, SECONDS)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(ProposalFailedException.class);
    single.node = null;
  }

  @Test
  void startFailsFastWhenTheRaftPortIsTaken() throws Exception {
    try (ServerSocket taken = new ServerSocket(0)) {
      String addr = "127.0.0.1:" + taken.getLocalPort();
      LedgerStateMachine sm = new LedgerStateMachine(tmp.resolve("ledger-state.txt"));
      assertThatThrownBy(() -> RaftNode.start(RaftNodeConfig.of(addr, List.of(addr), tmp.resolve("raft")), sm,
          new LeadershipListener() {
            @Override
            public void onLeaderStart(long term) {}

            @Override
            public void onLeaderStop(long term) {}
          }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("raft port " + taken.getLocalPort() + " is not available");
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
