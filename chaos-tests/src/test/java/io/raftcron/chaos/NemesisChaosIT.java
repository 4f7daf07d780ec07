package io.raftcron.chaos;

import java.util.List;

/**
 * The CI profile of the chaos suite: one three-node cluster (lease 5 s) with two workers, W1 (four
 * jobs every second, fire-all) and W3 (a job every two seconds whose runs last 4 s, about a lease)
 * running throughout, and one round per nemesis below, each with W2 on fresh keys.
 */
class NemesisChaosIT extends FixedRoundsChaos {
  @Override
  ChaosCluster.Settings settings() {
    return ChaosCluster.Settings.defaults();
  }

  @Override
  int w1Jobs() {
    return 4;
  }

  /** kill-leader-repeatedly runs in the long profile only: three container failovers take minutes here. */
  @Override
  List<NemesisKind> rounds() {
    return List.of(
        NemesisKind.KILL_LEADER,
        NemesisKind.PAUSE_LEADER,
        NemesisKind.PARTITION_LEADER,
        NemesisKind.PAUSE_WORKER,
        NemesisKind.KILL_RANDOM,
        NemesisKind.PARTITION_HALVES,
        NemesisKind.ISOLATE_FOLLOWER_PAST_SNAPSHOT,
        NemesisKind.ISOLATE_WORKER,
        NemesisKind.KILL_WORKER,
        NemesisKind.KILL_ALL);
  }
}
