package io.raftcron.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The nemeses that need a five-node cluster under libfaketime: a bridge (two halves joined by one
 * node), a majorities ring, and the leader's wall clock jumping 20–40 s forward, then back, for
 * 8 s each (I8: no duplicate, no fire before its slot). Checked like every round (I1–I8).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FiveNodeChaosIT {
  static final List<NemesisKind> ROUNDS = List.of(
      NemesisKind.PARTITION_BRIDGE,
      NemesisKind.CLOCK_JUMP_FORWARD,
      NemesisKind.PARTITION_RING,
      NemesisKind.CLOCK_JUMP_BACK);

  private ChaosRun run;

  @BeforeAll
  void startCluster() throws Exception {
    ChaosCluster.Settings settings = ChaosCluster.Settings.defaults().withNodes(5).withFakeTime();
    run = new ChaosRun(getClass().getSimpleName(), ChaosRun.seed(), settings, 3);
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
