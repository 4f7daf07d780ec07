package io.raftcron.raft;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.raftcron.raft.TestCluster.Member;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Membership changes, leadership transfer and seeded snapshots, on real jraft nodes in this JVM. */
@Timeout(120)
class RaftMembershipTest {

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

  private static RaftNodeConfig config(Member member, List<String> peers) {
    return new RaftNodeConfig(RaftNodeConfig.DEFAULT_GROUP_ID, member.addr, peers, member.dir.resolve("raft"), 1500, 0,
        0, 1024);
  }

  private List<String> propose(Member leader, String prefix, int count) throws Exception {
    List<String> written = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      leader.node.propose(bytes(prefix + i), leader.node.leaderTerm()).get(20, SECONDS);
      written.add(prefix + i);
    }
    return written;
  }

  @Test
  void anEmptyNodeJoinsBySnapshotInstallTakesOverLeadershipAndTheOldLeaderIsRemoved() throws Exception {
    cluster = new TestCluster(tmp, 4);
    List<String> three = List.of(cluster.members[0].addr, cluster.members[1].addr, cluster.members[2].addr);
    for (int i = 0; i < 3; i++) {
      cluster.members[i].start(config(cluster.members[i], three));
    }
    Member leader = cluster.awaitLeader();
    List<String> written = new ArrayList<>(propose(leader, "a", 5));
    leader.node.snapshot().get(20, SECONDS);
    written.addAll(propose(leader, "b", 3));
    leader.node.snapshot().get(20, SECONDS); // the log before the first snapshot is gone: the newcomer needs one
    long snapshotIndex = leader.snapshotIndex();

    Member newcomer = cluster.members[3].start(config(cluster.members[3], List.of()));
    assertThat(newcomer.node.role()).isNotEqualTo("LEADER");
    leader.node.addPeer(newcomer.addr).get(30, SECONDS);

    assertThat(leader.node.membership()).hasValueSatisfying(m -> {
      assertThat(m.voters()).containsExactlyInAnyOrder(three.get(0), three.get(1), three.get(2), newcomer.addr);
      assertThat(m.learners()).isEmpty();
    });
    cluster.awaitLedgersEqual(written);
    assertThat(newcomer.sm.snapshotLoads).containsExactly(snapshotIndex);
    assertThat(follower(leader).node.membership()).as("only the leader answers").isEmpty();

    leader.node.transferLeadershipTo(Optional.of(newcomer.addr));
    await().atMost(TestCluster.WAIT).until(() -> newcomer.node.isLeader());

    newcomer.node.removePeer(leader.addr).get(30, SECONDS);
    assertThat(newcomer.node.membership()).hasValueSatisfying(m -> assertThat(m.voters()).hasSize(3)
        .doesNotContain(leader.addr).contains(newcomer.addr));
    written.addAll(propose(newcomer, "c", 3));
    leader.stop();
    cluster.awaitLedgersEqual(written);
  }

  @Test
  void membershipChangesAreRefusedWithAReasonOffTheLeaderAndForBadAddresses() throws Exception {
    cluster = new TestCluster(tmp, 3).startAll();
    Member leader = cluster.awaitLeader();
    Member follower = follower(leader);

    assertThatThrownBy(() -> follower.node.addPeer("127.0.0.1:1").get(10, SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(NotLeaderException.class);
    assertThatThrownBy(() -> follower.node.transferLeadershipTo(Optional.empty()))
        .isInstanceOf(NotLeaderException.class);
    assertThatThrownBy(() -> leader.node.addPeer("not-an-address"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a raft address");
    assertThatThrownBy(() -> leader.node.removePeer("127.0.0.1:1").get(10, SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("removePeer 127.0.0.1:1 refused: Peer not found");
  }

  @Test
  void seededNodesStartFromTheSnapshotAndTheLogContinuesAfterIt() throws Exception {
    LedgerStateMachine source = new LedgerStateMachine(tmp.resolve("source.txt"));
    source.apply(41, bytes("old-a"));
    source.apply(42, bytes("old-b"));
    cluster = new TestCluster(tmp.resolve("new"), 3);
    List<String> peers = List.of(cluster.members[0].addr, cluster.members[1].addr, cluster.members[2].addr);
    for (Member member : cluster.members) {
      SnapshotSeeder.seed(member.dir.resolve("raft"), 42, peers, source::saveSnapshot);
    }
    cluster.startAll();
    Member leader = cluster.awaitLeader();

    leader.node.propose(bytes("new-c"), leader.node.leaderTerm()).get(20, SECONDS);
    cluster.awaitLedgersEqual(List.of("old-a", "old-b", "new-c"));
    assertThat(leader.sm.ledger().get("new-c")).as("log index after the seeded snapshot").isGreaterThan(42);
    cluster.running().forEach(m -> assertThat(m.sm.snapshotLoads).containsExactly(42L));
  }

  @Test
  void seedingRefusesANodeThatAlreadyHasRaftData() throws Exception {
    cluster = new TestCluster(tmp, 3).startAll();
    Member leader = cluster.awaitLeader();
    leader.node.propose(bytes("x"), leader.node.leaderTerm()).get(20, SECONDS);
    Path raftDir = leader.dir.resolve("raft");
    assertThat(Files.isDirectory(raftDir.resolve("log"))).isTrue();

    assertThatThrownBy(() -> SnapshotSeeder.seed(raftDir, 5, List.of(leader.addr), dir -> List.of()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("already holds raft data");
  }

  @Test
  void aSeedWhoseContentFailsLeavesNothingSoTheSameSeedCanBeTriedAgain() throws Exception {
    Path raftDir = tmp.resolve("seeded/raft");

    assertThatThrownBy(() -> SnapshotSeeder.seed(raftDir, 5, List.of("127.0.0.1:7001"), dir -> {
      Files.writeString(dir.resolve("partial"), "half of a checkpoint");
      throw new java.io.IOException("No space left on device");
    })).isInstanceOf(java.io.IOException.class);

    SnapshotSeeder.seed(raftDir, 5, List.of("127.0.0.1:7001"), dir -> List.of());
    try (Stream<Path> files = Files.walk(RaftNode.snapshotDir(raftDir))) {
      assertThat(files.map(f -> f.getFileName().toString())).contains("snapshot_5").doesNotContain("partial");
    }
  }

  private Member follower(Member leader) {
    return cluster.running().filter(m -> m != leader).findFirst().orElseThrow();
  }
}
