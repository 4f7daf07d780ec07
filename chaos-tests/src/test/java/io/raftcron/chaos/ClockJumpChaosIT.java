package io.raftcron.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clock jumps (I8) on a cluster whose nodes run under libfaketime: the leader's wall clock jumps
 * 20–40 s back for 8 s, then 20–40 s forward for 8 s, each round checked like the others. Not part of the CI
 * profile (see the README); run it with {@code -Dit.test=ClockJumpChaosIT} or in the long profile.
 */
class ClockJumpChaosIT {
  @Test
  void leaderClockJumps() throws Exception {
    try (ChaosRun run = new ChaosRun(getClass().getSimpleName(), ChaosRun.seed(),
        ChaosCluster.Settings.defaults().withFakeTime(), 4)) {
      run.setUp();
      int violations = 0;
      StringBuilder all = new StringBuilder();
      List<NemesisKind> rounds = List.of(NemesisKind.CLOCK_JUMP_BACK, NemesisKind.CLOCK_JUMP_FORWARD);
      for (int round = 1; round <= rounds.size(); round++) {
        ChaosRun.RoundReport report = run.round(round, rounds.get(round - 1));
        violations += report.violations().size();
        report.violations().forEach(v -> all.append(v).append('\n'));
      }
      System.out.println(run.summaryTable());
      assertThat(violations).as("seed %d, report in %s:%n%s", run.seedValue(), run.dir(), all).isZero();
    }
  }
}
