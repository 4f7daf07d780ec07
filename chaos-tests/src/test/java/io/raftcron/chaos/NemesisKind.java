package io.raftcron.chaos;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The faults. Each one is bounded in time, heals itself at the end and records its start and its
 * heal in the history; {@link #inject} returns when the last heal was done.
 */
enum NemesisKind {
  /** SIGKILL of the leader's container; it is started again on the same data once another leads. */
  KILL_LEADER,
  /** SIGKILL of a random node; started again a few seconds later. */
  KILL_RANDOM,
  /** Kill the leader, wait for a successor, restart the old one; three times in a row. */
  KILL_LEADER_REPEATEDLY,
  /** docker pause (cgroup freezer) of the leader across several slots, then unpause. */
  PAUSE_LEADER,
  /** nftables drop rules cutting the leader off from every other node, then deleted. */
  PARTITION_LEADER,
  /** A random minority | majority split of the nodes. */
  PARTITION_HALVES,
  /** Two halves joined by one node that sees both (needs 5 nodes): only the bridge can lead both. */
  PARTITION_BRIDGE,
  /** A ring of 5 nodes, each seeing only its two neighbours: every node sees a majority, no two the same. */
  PARTITION_RING,
  /** A follower cut off until the leader has snapshotted and dropped its log: it must install the snapshot. */
  ISOLATE_FOLLOWER_PAST_SNAPSHOT,
  /** SIGKILL of every node, then all started again. */
  KILL_ALL,
  /** A worker frozen while it executes a run, well past its lease; its completion must be fenced. */
  PAUSE_WORKER,
  /** A worker cut off from every node while it executes a run, past its lease; its completion must be fenced. */
  ISOLATE_WORKER,
  /** SIGKILL of a worker while it executes a run; started again after the lease ran out. */
  KILL_WORKER,
  /** The leader's wall clock jumps 20-40 s forward (libfaketime) for 8 s, then back. */
  CLOCK_JUMP_FORWARD,
  /** The leader's wall clock jumps 20-40 s back (libfaketime) for 8 s, then forward again. */
  CLOCK_JUMP_BACK;

  record Outcome(String detail, Instant healedAt) {}

  String label() {
    return name().toLowerCase().replace('_', '-');
  }

  Outcome inject(ChaosRun run, Random random) throws Exception {
    ChaosCluster cluster = run.cluster();
    History history = run.history();
    String kind = label();
    switch (this) {
      case KILL_LEADER -> {
        Failover failover = killLeader(run, kind);
        hold(random, 1, 4);
        cluster.restart(failover.killed());
        history.nemesis(kind, "heal", "restarted " + failover.killed().id);
        return new Outcome("killed leader " + failover.killed().id + ", successor " + failover.successor() + " after "
            + failover.millis() + " ms", Instant.now());
      }
      case KILL_RANDOM -> {
        ChaosCluster.Box node = pick(cluster.nodes(), random);
        history.nemesis(kind, "start", "kill -9 " + node.id);
        cluster.kill(node);
        Duration held = hold(random, 3, 7);
        cluster.restart(node);
        history.nemesis(kind, "heal", "restarted " + node.id);
        return new Outcome("killed " + node.id + " for " + held.toMillis() + " ms", Instant.now());
      }
      case KILL_LEADER_REPEATEDLY -> {
        List<String> killed = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
          Failover failover = killLeader(run, kind);
          cluster.restart(failover.killed());
          history.nemesis(kind, "heal", "restarted " + failover.killed().id);
          killed.add(failover.killed().id + " (failover " + failover.millis() + " ms)");
          run.awaitAnswering(failover.killed());
        }
        return new Outcome("killed leaders " + killed, Instant.now());
      }
      case PAUSE_LEADER -> {
        ChaosCluster.Box leader = run.awaitLeader();
        history.nemesis(kind, "start", "pause " + leader.id);
        if (!freeze(run, kind, leader)) {
          return new Outcome("pause of leader " + leader.id + " failed (docker could not freeze it)", Instant.now());
        }
        Duration held = hold(random, 4, 8);
        cluster.thaw(leader);
        history.nemesis(kind, "heal", "unpaused " + leader.id);
        return new Outcome("paused leader " + leader.id + " for " + held.toMillis() + " ms", Instant.now());
      }
      case PARTITION_LEADER -> {
        ChaosCluster.Box leader = run.awaitLeader();
        List<ChaosCluster.Box> others = cluster.nodes().stream().filter(b -> b != leader).toList();
        return partition(run, random, "isolate " + leader.id + " from " + ids(others), "isolated leader " + leader.id,
            ChaosCluster.cutsBetween(List.of(List.of(leader), others)));
      }
      case PARTITION_HALVES -> {
        List<ChaosCluster.Box> shuffled = shuffled(cluster.nodes(), random);
        int minority = (shuffled.size() - 1) / 2;
        List<ChaosCluster.Box> small = List.copyOf(shuffled.subList(0, minority));
        List<ChaosCluster.Box> large = List.copyOf(shuffled.subList(minority, shuffled.size()));
        String what = "partition " + ids(small) + " | " + ids(large);
        return partition(run, random, what, what, ChaosCluster.cutsBetween(List.of(small, large)));
      }
      case PARTITION_BRIDGE -> {
        List<ChaosCluster.Box> nodes = shuffled(cluster.nodes(), random);
        ChaosCluster.Box bridge = nodes.get(0);
        List<ChaosCluster.Box> left = nodes.subList(1, 1 + (nodes.size() - 1) / 2);
        List<ChaosCluster.Box> right = nodes.subList(1 + (nodes.size() - 1) / 2, nodes.size());
        String what = "bridge " + ids(left) + " - " + bridge.id + " - " + ids(right);
        Map<ChaosCluster.Box, List<ChaosCluster.Box>> cuts = new LinkedHashMap<>();
        left.forEach(b -> cuts.put(b, List.copyOf(right)));
        right.forEach(b -> cuts.put(b, List.copyOf(left)));
        return partition(run, random, what, what, cuts);
      }
      case PARTITION_RING -> {
        List<ChaosCluster.Box> ring = shuffled(cluster.nodes(), random);
        int n = ring.size();
        Map<ChaosCluster.Box, List<ChaosCluster.Box>> cuts = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
          ChaosCluster.Box left = ring.get((i + n - 1) % n);
          ChaosCluster.Box right = ring.get((i + 1) % n);
          ChaosCluster.Box self = ring.get(i);
          cuts.put(self, ring.stream().filter(b -> b != self && b != left && b != right).toList());
        }
        String what = "majorities ring " + ids(ring);
        return partition(run, random, what, what, cuts);
      }
      case ISOLATE_FOLLOWER_PAST_SNAPSHOT -> {
        ChaosCluster.Box leader = run.awaitLeader();
        ChaosCluster.Box follower = pick(cluster.nodes().stream().filter(b -> b != leader).toList(), random);
        List<ChaosCluster.Box> others = cluster.nodes().stream().filter(b -> b != follower).toList();
        int installsBefore = cluster.snapshotInstalls(follower);
        history.nemesis(kind, "start", "isolate follower " + follower.id + " until the leader compacts its log");
        cluster.partition(List.of(List.of(follower), others));
        // Three snapshot periods: the leader has snapshotted and dropped the entries the follower lacks.
        Thread.sleep(3L * ChaosCluster.SNAPSHOT_SECONDS * 1000);
        cluster.healPartitions();
        history.nemesis(kind, "heal", "partition healed");
        boolean installed;
        try {
          await("snapshot install on " + follower.id).atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(500)).until(() -> cluster.snapshotInstalls(follower) > installsBefore);
          installed = true;
        } catch (ConditionTimeoutException e) {
          installed = false;
        }
        history.nemesis(kind, "info", follower.id + (installed ? " installed the leader's snapshot"
            : " caught up without installing a snapshot within 30 s"));
        return new Outcome("isolated follower " + follower.id + " for " + 3 * ChaosCluster.SNAPSHOT_SECONDS + " s; "
            + (installed ? "it installed the leader's snapshot" : "no snapshot install seen"), Instant.now());
      }
      case KILL_ALL -> {
        List<ChaosCluster.Box> nodes = new ArrayList<>(cluster.nodes());
        java.util.Collections.shuffle(nodes, random);
        history.nemesis(kind, "start", "kill -9 " + ids(nodes));
        for (ChaosCluster.Box node : nodes) {
          cluster.kill(node);
        }
        Duration held = hold(random, 2, 5);
        for (ChaosCluster.Box node : nodes) {
          cluster.restart(node);
        }
        history.nemesis(kind, "heal", "restarted " + ids(nodes));
        return new Outcome("killed all nodes for " + held.toMillis() + " ms", Instant.now());
      }
      case PAUSE_WORKER, ISOLATE_WORKER, KILL_WORKER -> {
        ChaosRun.InFlight inFlight = run.awaitInFlight(ChaosRun.SLOW_JOB, Duration.ofSeconds(20));
        ChaosCluster.Box worker = inFlight != null ? cluster.worker(inFlight.worker())
            : pick(cluster.workers(), random);
        String what = inFlight != null ? "while it runs " + inFlight.runId() + " under token " + inFlight.token()
            : "(no run in flight was seen)";
        Duration held = Duration.ofSeconds(2L * cluster.settings().leaseSeconds() + 3);
        String done;
        if (this == PAUSE_WORKER) {
          history.nemesis(kind, "start", "pause " + worker.id + " " + what);
          if (!freeze(run, kind, worker)) {
            return new Outcome("pause of worker " + worker.id + " failed (docker could not freeze it)", Instant.now());
          }
          Thread.sleep(held.toMillis());
          cluster.thaw(worker);
          history.nemesis(kind, "heal", "unpaused " + worker.id);
          done = "paused";
        } else if (this == ISOLATE_WORKER) {
          history.nemesis(kind, "start", "isolate " + worker.id + " from every node " + what);
          cluster.cut(Map.of(worker, cluster.nodes()));
          Thread.sleep(held.toMillis());
          cluster.healPartitions();
          history.nemesis(kind, "heal", "partition healed");
          done = "isolated";
        } else {
          history.nemesis(kind, "start", "kill -9 " + worker.id + " " + what);
          cluster.kill(worker);
          Thread.sleep(held.toMillis());
          cluster.restart(worker);
          history.nemesis(kind, "heal", "restarted " + worker.id);
          done = "killed";
        }
        if (this != KILL_WORKER) {
          run.noteStaleCandidate(inFlight); // a killed worker never reports late
        }
        return new Outcome(done + " worker " + worker.id + " for " + held.toMillis() + " ms " + what, Instant.now());
      }
      case CLOCK_JUMP_FORWARD, CLOCK_JUMP_BACK -> {
        ChaosCluster.Box leader = run.awaitLeader();
        int seconds = 20 + random.nextInt(21);
        String offset = (this == CLOCK_JUMP_FORWARD ? "+" : "-") + seconds + "s";
        history.nemesis(kind, "start", "clock of " + leader.id + " " + offset);
        cluster.setClockOffset(leader, offset);
        Thread.sleep(8000);
        cluster.setClockOffset(leader, "+0");
        history.nemesis(kind, "heal", "clock of " + leader.id + " back to +0");
        // libfaketime rereads the offset within a second: the heal is done when that has passed.
        Thread.sleep(1500);
        return new Outcome("clock of leader " + leader.id + " " + offset + " for 8 s", Instant.now());
      }
      default -> throw new IllegalStateException();
    }
  }

  /** Nemeses that need the cluster to run under libfaketime. */
  boolean needsFakeTime() {
    return this == CLOCK_JUMP_FORWARD || this == CLOCK_JUMP_BACK;
  }

  /** Whether the nemesis can run on a cluster like this one (bridge and ring need five nodes). */
  boolean fits(ChaosCluster.Settings settings) {
    boolean fiveNodes = this == PARTITION_BRIDGE || this == PARTITION_RING;
    return (!needsFakeTime() || settings.fakeTime()) && (!fiveNodes || settings.nodes() >= 5);
  }

  /** A leader killed with SIGKILL, and how long it took another node to lead. */
  private record Failover(ChaosCluster.Box killed, String successor, long millis) {}

  private static Failover killLeader(ChaosRun run, String kind) {
    ChaosCluster.Box leader = run.awaitLeader();
    run.history().nemesis(kind, "start", "kill -9 " + leader.id);
    long at = System.nanoTime();
    run.cluster().kill(leader);
    String successor = run.awaitLeaderOtherThan(leader).map(b -> b.id).orElse("none within bound");
    long millis = (System.nanoTime() - at) / 1_000_000;
    run.history().nemesis(kind, "info", "successor " + successor + " leads " + millis + " ms after the kill");
    return new Failover(leader, successor, millis);
  }

  /** docker pause; false (recorded as a heal with no fault) when the freezer refused. */
  private static boolean freeze(ChaosRun run, String kind, ChaosCluster.Box box) {
    if (run.cluster().freeze(box)) {
      return true;
    }
    run.history().nemesis(kind, "heal", "docker pause of " + box.id + " failed: no fault injected");
    return false;
  }

  /** Drops the given traffic for 6–10 s, then heals every partition. */
  private Outcome partition(ChaosRun run, Random random, String start, String detail,
      Map<ChaosCluster.Box, List<ChaosCluster.Box>> cuts) throws Exception {
    run.history().nemesis(label(), "start", start);
    run.cluster().cut(cuts);
    Duration held = hold(random, 6, 10);
    run.cluster().healPartitions();
    run.history().nemesis(label(), "heal", "partition healed");
    return new Outcome(detail + " for " + held.toMillis() + " ms", Instant.now());
  }

  /** How long a fault lasts: a bounded, seeded duration (the fault itself, not a synchronisation). */
  private static Duration hold(Random random, int minSeconds, int maxSeconds) throws InterruptedException {
    long millis = minSeconds * 1000L + random.nextInt((maxSeconds - minSeconds) * 1000 + 1);
    Thread.sleep(millis);
    return Duration.ofMillis(millis);
  }

  private static <T> List<T> shuffled(List<T> list, Random random) {
    List<T> copy = new ArrayList<>(list);
    java.util.Collections.shuffle(copy, random);
    return copy;
  }

  private static <T> T pick(List<T> list, Random random) {
    return list.get(random.nextInt(list.size()));
  }

  private static String ids(List<ChaosCluster.Box> boxes) {
    return boxes.stream().map(b -> b.id).toList().toString();
  }
}
