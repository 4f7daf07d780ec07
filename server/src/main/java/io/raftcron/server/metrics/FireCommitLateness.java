package io.raftcron.server.metrics;

import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.raftcron.proto.Command;
import io.raftcron.proto.SlotDecision;
import io.raftcron.server.leader.CommitObserver;
import io.raftcron.sm.Times;
import java.time.Instant;
import java.time.InstantSource;

/**
 * Slot → the leader learning that the FireSlots entry firing it committed: the lateness of the
 * decision itself (a quorum holds it from then on), observed once per fired slot on the leader
 * that decided it. The per-job lateness series measure slot → the leader's decision time.
 */
final class FireCommitLateness implements CommitObserver {
  private final InstantSource clock;
  private final Histogram lateness;

  FireCommitLateness(PrometheusRegistry registry, InstantSource clock) {
    this.clock = clock;
    this.lateness =
        Histogram.builder()
            .name("raftcron_fire_commit_lateness_seconds")
            .unit(Unit.SECONDS)
            .help("Time from a slot to the commit of the decision that fired it, seen by the deciding leader")
            .classicOnly()
            .classicUpperBounds(Buckets.COMMIT_LATENESS)
            .withoutExemplars() // observed on jraft's FSM thread, where no span is current
            .register(registry);
  }

  @Override
  public void committed(Command command) {
    if (command.getOpCase() != Command.OpCase.FIRE_SLOTS) {
      return;
    }
    Instant now = clock.instant();
    for (SlotDecision decision : command.getFireSlots().getDecisionsList()) {
      if (decision.getFire()) {
        lateness.observe(Buckets.secondsBetween(Times.toInstant(decision.getSlot()), now));
      }
    }
  }
}
