package io.raftcron.chaos;

import io.raftcron.proto.NodeStatus;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples every node's own status (role, term, applied index) twice a second, for I6 (at most one
 * node claims leadership in a term) and for the record ({@code status.jsonl}).
 */
final class Observer implements AutoCloseable {
  private final ChaosCluster cluster;
  private final ScheduledExecutorService executor;
  private final BufferedWriter out;
  private final List<Checks.LeaderSample> leaders = new ArrayList<>();
  private final java.util.Map<String, NodeStatus> previous = new java.util.HashMap<>();

  Observer(ChaosCluster cluster, Path file) throws IOException {
    this.cluster = cluster;
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    this.executor = Executors.newScheduledThreadPool(cluster.nodes().size(), r -> {
      Thread t = new Thread(r, "chaos-observer");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    for (ChaosCluster.Box node : cluster.nodes()) {
      executor.scheduleWithFixedDelay(() -> sample(node), 0, 500, TimeUnit.MILLISECONDS);
    }
  }

  private void sample(ChaosCluster.Box node) {
    Optional<NodeStatus> status = Api.status(node, Duration.ofMillis(400));
    Json line = Json.object().put("time", Instant.now().toString()).put("node", node.id);
    if (status.isPresent()) {
      NodeStatus s = status.get();
      line.put("role", s.getRole()).put("term", s.getTerm()).put("applied", s.getAppliedIndex())
          .put("leader", s.getLeaderRaftAddr());
    } else {
      line.put("role", "NO ANSWER");
    }
    synchronized (this) {
      NodeStatus before = previous.get(node.id);
      if (status.isPresent()) {
        if (confirmedLeader(before, status.get(), node.ip + ":" + ChaosCluster.RAFT_PORT)) {
          leaders.add(new Checks.LeaderSample(node.id, status.get().getTerm()));
        }
        previous.put(node.id, status.get());
      } else {
        previous.remove(node.id);
      }
      try {
        out.write(line.toString());
        out.newLine();
        out.flush();
      } catch (IOException e) {
        // the record is best effort; the samples in memory are what I6 reads
      }
    }
  }

  /**
   * A node's claim to lead a term, for I6. A status is read field by field while the node may be
   * changing role (a paused leader waking up reports LEADER next to the new term and the new
   * leader's address), so a claim counts only when it is consistent (role LEADER, and the node
   * names itself as the leader) in two consecutive samples of the same term.
   */
  static boolean confirmedLeader(NodeStatus before, NodeStatus now, String selfRaftAddr) {
    return consistentLeader(now, selfRaftAddr) && before != null && consistentLeader(before, selfRaftAddr)
        && before.getTerm() == now.getTerm();
  }

  private static boolean consistentLeader(NodeStatus s, String selfRaftAddr) {
    return s.getRole().equals("LEADER") && s.getLeaderRaftAddr().equals(selfRaftAddr);
  }

  synchronized List<Checks.LeaderSample> leaders() {
    return List.copyOf(leaders);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (this) {
      try {
        out.close();
      } catch (IOException e) {
        // ignore
      }
    }
  }
}
