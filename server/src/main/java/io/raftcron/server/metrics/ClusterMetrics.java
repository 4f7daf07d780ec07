package io.raftcron.server.metrics;

import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.AlertState;
import io.raftcron.raft.RaftNode;
import io.raftcron.server.leader.WorkerTracker;
import io.raftcron.sm.store.SchedulerStore;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * This node's view of the cluster, read at scrape time from memory (Raft node, worker tracker)
 * and from the small active-run indexes of the store (queue and leases hold active runs only).
 */
final class ClusterMetrics {
  private ClusterMetrics() {}

  static void register(PrometheusRegistry registry, RaftNode raft, SchedulerStore store, WorkerTracker workers) {
    gauge(registry, "raftcron_raft_leader", "1 on the node that leads (and has announced its term), else 0",
        raft, r -> r.isLeader() ? 1 : 0);
    gauge(registry, "raftcron_raft_term", "The Raft term this node is in", raft, RaftNode::currentTerm);
    gauge(registry, "raftcron_raft_commit_index", "The last log index a majority has stored", raft, RaftNode::committedIndex);
    gauge(registry, "raftcron_raft_applied_index", "The last log index applied to this node's state", raft, RaftNode::appliedIndex);
    gauge(registry, "raftcron_raft_proposals_inflight", "Proposals of this node waiting to commit", raft, RaftNode::inflightProposals);
    gauge(registry, "raftcron_queue_depth", "Runs waiting for a worker (QUEUED)", store, SchedulerStore::queuedCount);
    gauge(registry, "raftcron_active_leases", "Runs leased to a worker now", store, SchedulerStore::leasedCount);
    gauge(registry, "raftcron_workers_connected",
        "Workers that polled or heartbeated this node as leader in the last 30 s (0 on followers)",
        workers, WorkerTracker::connected);
    GaugeWithCallback.builder()
        .name("raftcron_alerts_firing")
        .help("Built-in alerts firing now, by kind (from the replicated state: the same on every node)")
        .labelNames("kind")
        .callback(
            cb -> {
              Map<AlertKind, Long> firing = new EnumMap<>(AlertKind.class);
              for (AlertKind kind : AlertKind.values()) {
                if (kind != AlertKind.ALERT_KIND_UNSPECIFIED && kind != AlertKind.UNRECOGNIZED) {
                  firing.put(kind, 0L);
                }
              }
              store.alerts().stream()
                  .filter(a -> a.getState() == AlertState.FIRING)
                  .forEach(a -> firing.merge(a.getKind(), 1L, Long::sum));
              firing.forEach((kind, n) -> cb.call(n, kind.name()));
            })
        .register(registry);
  }

  private static <T> void gauge(
      PrometheusRegistry registry, String name, String help, T source, ToDoubleFunction<T> read) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .callback(cb -> cb.call(read.applyAsDouble(source)))
        .register(registry);
  }
}
