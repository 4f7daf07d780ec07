package io.raftcron.server.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.raft.RaftNode;
import io.raftcron.server.leader.CommitObserver;
import io.raftcron.server.leader.WorkerTracker;
import io.raftcron.sm.store.SchedulerStore;
import java.time.InstantSource;

/**
 * Every metric of one node, registered into the node's own registry (never the global default:
 * several nodes may share a JVM). Per-job series come from applied entries ({@link
 * #onApplied}); cluster series are read at scrape time once the Raft node is bound ({@link
 * #bindNode}), together with jraft's own Dropwizard metrics and the JVM's.
 */
public final class NodeMetrics {
  private final PrometheusRegistry registry;
  private final SchedulerStore store;
  private final JobMetrics jobs;
  private final Histogram applyDuration;
  private final FireCommitLateness fireCommits;
  private final Histogram leaderTaskDuration;

  private NodeMetrics(PrometheusRegistry registry, boolean perJobLabels, SchedulerStore store, InstantSource clock) {
    this.registry = registry;
    this.store = store;
    this.jobs = new JobMetrics(registry, new JobLabels(perJobLabels), store);
    this.fireCommits = new FireCommitLateness(registry, clock);
    registry.register(new JobRecordGauges(store, perJobLabels));
    this.applyDuration =
        Histogram.builder()
            .name("raftcron_apply_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Time to apply one committed entry to the state store")
            .classicOnly()
            .classicUpperBounds(Buckets.APPLY)
            .withoutExemplars() // observed on the applying thread, where no span is current (see JobFamilies)
            .register(registry);
    this.leaderTaskDuration =
        Histogram.builder()
            .name("raftcron_leader_task_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Time one task held the leader's single thread (a slot's fires due meanwhile wait)")
            .classicOnly()
            .classicUpperBounds(Buckets.LEADER_TASK)
            .withoutExemplars()
            .register(registry);
  }

  /** Registers the per-job and JVM metrics; call before the Raft node replays its log. */
  public static NodeMetrics register(
      PrometheusRegistry registry, boolean perJobLabels, SchedulerStore store, InstantSource clock) {
    NodeMetrics metrics = new NodeMetrics(registry, perJobLabels, store, clock);
    JvmMetrics.builder().register(registry);
    return metrics;
  }

  /** Registers the cluster gauges and bridges jraft's metrics, once the Raft node exists. */
  public void bindNode(RaftNode raft, WorkerTracker workers) {
    ClusterMetrics.register(registry, raft, store, workers);
    DropwizardExports.builder().dropwizardRegistry(raft.jraftMetrics()).register(registry);
  }

  /** One applied entry; called on the applying thread, cheap. */
  public void onApplied(Command command, CommandResult result) {
    jobs.onApplied(command, result);
  }

  /** Observes the commit of the fire decisions this node proposes as the leader. */
  public CommitObserver fireCommits() {
    return fireCommits;
  }

  /** How long applying one entry took, listener included. */
  public void observeApply(long nanos) {
    applyDuration.observe(nanos / 1e9);
  }

  /** How long one task of the leader's executor ran. */
  public void observeLeaderTask(long nanos) {
    leaderTaskDuration.observe(nanos / 1e9);
  }

  public PrometheusRegistry registry() {
    return registry;
  }
}
