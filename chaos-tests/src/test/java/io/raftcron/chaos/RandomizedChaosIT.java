package io.raftcron.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;

/**
 * The long profile ({@code mvn verify -Pchaos-long -Dchaos.runs=N -Dchaos.duration=S
 * [-Dchaos.seed=S]}, or {@code scripts/chaos.sh}): N runs, each on a fresh cluster with its own
 * seed, each a random sequence of nemesis rounds for about S seconds. A summary table of all runs
 * goes to {@code target/chaos/RandomizedChaosIT/summary.md}; each run keeps its report folder.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RandomizedChaosIT {
  private record Summary(long seed, int rounds, int fires, long p99, long worstGap, int violations, String kinds,
      String dir) {}

  private final List<Summary> summaries = new ArrayList<>();

  @TestFactory
  Stream<DynamicTest> randomizedRuns() {
    int runs = Integer.parseInt(System.getProperty("chaos.runs", "3").strip());
    Duration duration = Duration.ofSeconds(Long.parseLong(System.getProperty("chaos.duration", "120").strip()));
    long base = ChaosRun.seed();
    System.out.printf("CHAOS long profile: %d runs of %d s, base seed %d%n", runs, duration.toSeconds(), base);
    return IntStream.range(0, runs).mapToObj(i -> DynamicTest.dynamicTest("run " + (i + 1) + ", seed " + (base + i),
        () -> oneRun(base + i, duration)));
  }

  private void oneRun(long seed, Duration duration) throws Exception {
    List<Violation> violations = new ArrayList<>();
    Random random = new Random(seed);
    // Clock jumps need the nodes under libfaketime (-Dchaos.clock, on by default); bridge and ring
    // partitions need five nodes (-Dchaos.nodes=5).
    boolean clock = Boolean.parseBoolean(System.getProperty("chaos.clock", "true").strip());
    int nodes = Integer.parseInt(System.getProperty("chaos.nodes", "3").strip());
    ChaosCluster.Settings base = ChaosCluster.Settings.defaults().withNodes(nodes);
    ChaosCluster.Settings settings = clock ? base.withFakeTime() : base;
    NemesisKind[] kinds = java.util.Arrays.stream(NemesisKind.values()).filter(k -> k.fits(settings))
        .toArray(NemesisKind[]::new);
    List<String> injected = new ArrayList<>();
    try (ChaosRun run = new ChaosRun(getClass().getSimpleName(), seed, settings, 4)) {
      try {
        run.setUp();
        long end = System.nanoTime() + duration.toNanos();
        int index = 0;
        while (System.nanoTime() < end) {
          NemesisKind kind = kinds[random.nextInt(kinds.length)];
          injected.add(kind.label());
          violations.addAll(run.round(++index, kind).violations());
        }
      } finally {
        List<ChaosRun.RoundReport> reports = run.reports();
        int fires = reports.stream().mapToInt(r -> r.figures().fires()).sum();
        long p99 = reports.stream().mapToLong(r -> r.figures().latenessP99Ms()).max().orElse(0);
        long gap = reports.stream().mapToLong(r -> r.figures().worstFireGapMs()).max().orElse(0);
        synchronized (summaries) {
          summaries.add(new Summary(seed, reports.size(), fires, p99, gap, violations.size(),
              String.join(" ", injected), run.dir().toString()));
        }
      }
      assertThat(violations).as("seed %d: violations (report in %s)", seed, run.dir()).isEmpty();
    }
  }

  @AfterAll
  void writeSummary() throws Exception {
    StringBuilder s = new StringBuilder("# Chaos long profile\n\n");
    s.append("| seed | rounds (faults) | fires | worst p99 lateness | worst gap between fires | violations | nemeses |"
        + " report |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    int rounds = 0;
    int fires = 0;
    int violations = 0;
    for (Summary r : summaries) {
      s.append(String.format("| %d | %d | %d | %d ms | %d ms | %d | %s | %s |%n", r.seed(), r.rounds(), r.fires(),
          r.p99(), r.worstGap(), r.violations(), r.kinds(), r.dir()));
      rounds += r.rounds();
      fires += r.fires();
      violations += r.violations();
    }
    s.append(String.format("%nTotal: %d runs, %d faults injected, %d fires, %d violations.%n", summaries.size(),
        rounds, fires, violations));
    Path file = Path.of(System.getProperty("chaos.dir", "target/chaos"), getClass().getSimpleName(), "summary.md");
    Files.createDirectories(file.getParent());
    Files.writeString(file, s.toString(), StandardCharsets.UTF_8);
    System.out.print(s);
  }
}
