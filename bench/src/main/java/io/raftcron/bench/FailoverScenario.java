package io.raftcron.bench;

import io.raftcron.server.RaftcronServer;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The leader stops under load a third into the window (its Raft node, gRPC server and store are
 * closed, in-process: the nearest to a kill that shares the JVM); a follower must take over and
 * fire every slot, none twice. Then the old leader restarts on its data and catches up. With
 * {@code --kill}, the nodes are server processes and the leader's gets SIGKILL instead.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
    description = "Stop the leader under load: time to the next committed fire, duplicates, missed slots.")
final class FailoverScenario implements Callable<Integer> {
  @Mixin WindowOptions options;

  @Option(names = "--kill", description = "Three server processes; SIGKILL the leader's (default: in-process stop).")
  boolean kill;

  @Mixin NodeProcessOptions nodes;

  @Override
  public Integer call() throws Exception {
    if (kill) {
      return new KilledLeaderFailover(options, nodes.javaOpts()).run();
    }
    try (FireHarness harness = new FireHarness(options)) {
      Instant start = harness.openWindow();
      Pause.until(start.plusMillis(options.seconds * 1000L / 3 + 500));
      String old = harness.cluster.awaitLeader(Duration.ofSeconds(5)).config().nodeId();
      Instant stoppedAt = Instant.now();
      harness.ledger.watchForFireNotBy(old, stoppedAt);
      // Closing a node takes a while (bolt's server shutdown alone takes seconds), during which the others may well
      // elect: close it on the side, as a crash would not wait for it, and watch the rest for a leader meanwhile.
      RaftcronServer stopping = harness.cluster.detach(old);
      CompletableFuture<Instant> stopped =
          CompletableFuture.supplyAsync(() -> {
            stopping.close();
            return Instant.now();
          });
      RaftcronServer successor = harness.cluster.awaitLeader(Duration.ofSeconds(30));
      Instant electedAt = Instant.now();
      Instant stopReturnedAt = stopped.join();
      harness.closeWindow();
      Instant nextFire = harness.ledger.firstFireAfterWatch();

      long restartStart = System.nanoTime();
      harness.cluster.start(old);
      double restartMs = harness.cluster
          .awaitApplied(old, successor.raft().appliedIndex(), restartStart, Duration.ofSeconds(120))
          .toNanos() / 1e6;

      Result result = harness.result("failover");
      double electMs = Duration.between(stoppedAt, electedAt).toNanos() / 1e6;
      double nextFireMs = nextFire == null ? -1 : Duration.between(stoppedAt, nextFire).toNanos() / 1e6;
      result.put("stopped_leader", old)
          .put("new_leader", successor.config().nodeId())
          .put("leader_stop_ms", Duration.between(stoppedAt, stopReturnedAt).toNanos() / 1e6)
          .put("leader_elected_ms", electMs)
          .put("next_fire_ms", nextFireMs)
          .put("restart_catch_up_ms", restartMs);
      result.line(String.format("leader %s stopped: %s leads after %.0f ms, first fire it decided committed after %.0f ms",
              old, successor.config().nodeId(), electMs, nextFireMs))
          .line(String.format("%s restarted on its data and caught up in %.0f ms", old, restartMs));
      result.print(System.out, System.err);
      return harness.exitCode();
    }
  }
}
