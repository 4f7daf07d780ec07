package io.raftcron.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A checker that cannot fail is a defect: these runs switch a safeguard off on every node (the
 * test-only override jar, see {@link Sabotage}) and show that the suite then reports the
 * invariant that safeguard protects. The same rounds on an intact cluster report nothing
 * ({@link NemesisChaosIT}).
 */
class SabotageChaosIT {
  @Test
  void withoutTheDuplicateSlotRefusalTheSuiteReportsI1() throws Exception {
    assertThat(invariantsReported(Sabotage.ACCEPT_DECIDED_SLOTS, NemesisKind.KILL_LEADER, NemesisKind.KILL_LEADER))
        .contains("I1");
  }

  @Test
  void withoutTheFencingCheckTheSuiteReportsI4() throws Exception {
    assertThat(invariantsReported(Sabotage.ACCEPT_STALE_TOKENS, NemesisKind.PAUSE_WORKER, NemesisKind.PAUSE_WORKER))
        .contains("I4");
  }

  /** Runs rounds on a sabotaged cluster until one reports a violation (or the rounds run out). */
  private static List<String> invariantsReported(String sabotage, NemesisKind... rounds) throws Exception {
    ChaosCluster.Settings settings = ChaosCluster.Settings.defaults().withSabotage(sabotage);
    try (ChaosRun run = new ChaosRun("SabotageChaosIT-" + sabotage, ChaosRun.seed(), settings, 2)) {
      run.setUp();
      List<String> reported = new ArrayList<>();
      for (int i = 0; i < rounds.length && reported.isEmpty(); i++) {
        ChaosRun.RoundReport report = run.round(i + 1, rounds[i]);
        report.violations().forEach(v -> reported.add(v.invariant()));
      }
      System.out.println(run.summaryTable());
      return reported;
    }
  }
}
