package io.raftcron.raft;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

/** Raft nodes on loopback in this JVM, each with its own free port, data directory and {@link LedgerStateMachine}. */
final class TestCluster implements AutoCloseable {

  static final Duration WAIT = Duration.ofSeconds(30);

  final Member[] members;
  private final List<String> peers;
  /** Called on the raft-core event thread after a member's listener got onLeaderStart. */
  volatile BiConsumer<Member, Long> leaderStartHook = (member, term) -> {};

  TestCluster(Path root, int size) {
    int[] ports = freePorts(size);
    peers = Arrays.stream(ports).mapToObj(port -> "127.0.0.1:" + port).toList();
    members = new Member[size];
    for (int i = 0; i < size; i++) {
      members[i] = new Member(peers.get(i), root.resolve("node" + i));
    }
  }

  TestCluster startAll() {
    for (Member member : members) {
      member.start();
    }
    return this;
  }

  Stream<Member> running() {
    return Arrays.stream(members).filter(member -> member.node != null);
  }

  /** Waits until exactly one running member leads and its listener has been told. */
  Member awaitLeader() {
    return await().atMost(WAIT).until(() -> {
      List<Member> leaders = running().filter(m -> m.node.isLeader() && m.startedTerms.contains(m.node.leaderTerm()))
          .toList();
      return leaders.size() == 1 ? leaders.get(0) : null;
    }, leader -> leader != null);
  }

  /** Waits until every running member's ledger has the given payloads and the same (payload, index) pairs. */
  void awaitLedgersEqual(List<String> payloads) {
    await().atMost(WAIT).until(() -> {
      List<Member> nodes = running().toList();
      return nodes.get(0).sm.ledger().keySet().containsAll(payloads)
          && nodes.stream().allMatch(m -> m.sm.ledger().equals(nodes.get(0).sm.ledger()));
    });
  }

  @Override
  public void close() {
    running().forEach(Member::stop);
  }

  private static int[] freePorts(int count) {
    List<ServerSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < count; i++) {
        sockets.add(new ServerSocket(0)); // held open together so that the ports differ
      }
      return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket socket : sockets) {
        try {
          socket.close();
        } catch (IOException ignored) {
          // the port is released either way
        }
      }
    }
  }

  final class Member {

    final String addr;
    final Path dir;
    final List<Long> startedTerms = new CopyOnWriteArrayList<>();
    final List<Long> stoppedTerms = new CopyOnWriteArrayList<>();
    final List<Throwable> fatalErrors = new CopyOnWriteArrayList<>();
    volatile LedgerStateMachine sm;
    volatile RaftNode node;

    Member(String addr, Path dir) {
      this.addr = addr;
      this.dir = dir;
    }

    RaftNodeConfig config() {
      return RaftNodeConfig.of(addr, peers, dir.resolve("raft")).withElectionTimeoutMs(1500).withSnapshotIntervalSecs(0);
    }

    /** Starts (or restarts) the node on its data directory; the ledger reloads its persisted state. */
    Member start() {
      return start(config());
    }

    Member start(RaftNodeConfig config) {
      try {
        sm = new LedgerStateMachine(dir.resolve("ledger-state.txt"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      node = RaftNode.start(config, sm, new LeadershipListener() {
        @Override
        public void onLeaderStart(long term) {
          startedTerms.add(term);
          leaderStartHook.accept(Member.this, term);
        }

        @Override
        public void onLeaderStop(long term) {
          stoppedTerms.add(term);
        }

        @Override
        public void onFatalError(Throwable cause) {
          fatalErrors.add(cause);
        }
      });
      return this;
    }

    /** lastIncludedIndex of the member's newest local snapshot (jraft keeps it in snapshot/snapshot_N). */
    long snapshotIndex() throws IOException {
      try (Stream<Path> dirs = Files.list(dir.resolve("raft").resolve("snapshot"))) {
        return dirs.map(d -> d.getFileName().toString())
            .filter(name -> name.startsWith("snapshot_"))
            .mapToLong(name -> Long.parseLong(name.substring("snapshot_".length())))
            .max()
            .orElseThrow();
      }
    }

    void stop() {
      RaftNode n = node;
      node = null;
      n.close();
    }

    @Override
    public String toString() {
      return addr;
    }
  }
}
