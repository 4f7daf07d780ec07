package io.raftcron.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A fixed list of nemesis rounds on one cluster, set up once: each round is a test, healed and
 * checked (I1–I8) before the next, and the cluster's summary table is printed at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class FixedRoundsChaos {
  private ChaosRun run;

  abstract ChaosCluster.Settings settings();

  abstract int w1Jobs();

  abstract List<NemesisKind> rounds();

  @BeforeAll
  void startCluster() throws Exception {
    run = new ChaosRun(getClass().getSimpleName(), ChaosRun.seed(), settings(), w1Jobs());
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

  Stream<Arguments> numberedRounds() {
    List<NemesisKind> rounds = rounds();
    return IntStream.range(0, rounds.size()).mapToObj(i -> Arguments.of(i + 1, rounds.get(i)));
  }

  @ParameterizedTest(name = "round {0}: {1}")
  @MethodSource("numberedRounds")
  void nemesisRound(int index, NemesisKind kind) throws Exception {
    ChaosRun.RoundReport report = run.round(index, kind);
    assertThat(report.violations())
        .as("round %d (%s), seed %d: violations (history and checks in %s)", index, kind.label(), run.seedValue(),
            run.dir())
        .isEmpty();
  }
}
