package io.raftcron.chaos;

import java.util.List;

/**
 * The nemeses that need a five-node cluster under libfaketime: a bridge (two halves joined by one
 * node), a majorities ring, and the leader's wall clock jumping 20–40 s forward, then back, for
 * 8 s each (I8: no duplicate, no fire before its slot).
 */
class FiveNodeChaosIT extends FixedRoundsChaos {
  @Override
  ChaosCluster.Settings settings() {
    return ChaosCluster.Settings.defaults().withNodes(5).withFakeTime();
  }

  @Override
  int w1Jobs() {
    return 3;
  }

  @Override
  List<NemesisKind> rounds() {
    return List.of(
        NemesisKind.PARTITION_BRIDGE,
        NemesisKind.CLOCK_JUMP_FORWARD,
        NemesisKind.PARTITION_RING,
        NemesisKind.CLOCK_JUMP_BACK);
  }
}
