package io.raftcron.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The CI profile of the chaos suite: one three-node cluster (lease 5 s) with two workers, W1 (four
 * jobs every second, fire-all) and W3 (a job every two seconds whose runs last 4 s, about a lease)
 * running throughout, and one round per nemesis below, each with W2 on fresh keys, healed and
 * checked (I1–I8) before the next.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NemesisChaosIT {
  /** kill-leader-repeatedly runs in the long profile only: three container failovers take minutes here. */
  static final List<NemesisKind> ROUNDS = List.of(
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

  private ChaosRun run;

  @BeforeAll
  void startCluster() throws Exception {
    run = new ChaosRun(getClass().getSimpleName(), ChaosRun.seed(), ChaosCluster.Settings.defaults(), 4);
    try {
      run.setUp();
    } catch (Exception | AssertionError e) {
      run.close();
      run = null;
      throw e;
    }
  }

  @AfterAll
  void stopCluster() {
    if (run != null) {
      System.out.println(run.summaryTable());
      run.close();
    }
  }

  static Stream<Arguments> rounds() {
    return java.util.stream.IntStream.range(0, ROUNDS.size()).mapToObj(i -> Arguments.of(i + 1, ROUNDS.get(i)));
  }

  @ParameterizedTest(name = "round {0}: {1}")
  @MethodSource("rounds")
  void nemesisRound(int index, NemesisKind kind) throws Exception {
    ChaosRun.RoundReport report = run.round(index, kind);
    assertThat(report.violations())
        .as("round %d (%s), seed %d: violations (history and checks in %s)", index, kind.label(), run.seedValue(),
            run.dir())
        .isEmpty();
  }
}
