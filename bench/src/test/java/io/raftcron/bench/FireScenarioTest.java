package io.raftcron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/** The harness works, on a tiny workload: a functional check, not a benchmark (no figure is judged). */
class FireScenarioTest {

  @Test
  void fireScenarioPrintsOneJsonLineWithTheCommittedFiresOfItsWindow() {
    ScenarioRun run = ScenarioRun.of("fire", "--jobs", "3", "--duration", "2", "--warmup", "1");

    assertThat(run.exit()).as(run.out()).isZero();
    assertThat(run.out().lines()).hasSize(1);
    JsonObject result = run.result();
    assertThat(result.get("scenario").getAsString()).isEqualTo("fire");
    assertThat(result.get("jobs").getAsInt()).isEqualTo(3);
    assertThat(result.get("window_s").getAsInt()).isEqualTo(2);
    // Three jobs every second for two seconds: six slots, each fired at most once.
    long fired = result.get("committed_fires").getAsLong();
    assertThat(fired).isBetween(1L, 6L);
    assertThat(result.get("missed_slots").getAsLong()).isEqualTo(6 - fired);
    assertThat(result.get("duplicates").getAsLong()).isZero();
    assertThat(result.getAsJsonObject("fire_lateness_ms").get("count").getAsLong()).isEqualTo(fired);
    // The one leader that decided every fire of the window timed each decision's commit too.
    assertThat(result.getAsJsonObject("fire_commit_lateness_ms").get("count").getAsLong()).isEqualTo(fired);
    assertThat(result.has("load_avg_start")).isTrue();
    assertThat(result.has("cpu_s_per_1000_fires")).isTrue();
  }

  @Test
  void asServerProcessesTheLeadersHistogramHoldsTheWindowsFiresAndEverySlotHasItsRun() {
    ScenarioRun run = ScenarioRun.of("fire", "--processes", "--jobs", "3", "--duration", "3", "--warmup", "2",
        "--node-java-opts", "-Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");

    assertThat(run.exit()).as(run.out()).isZero();
    JsonObject result = run.result();
    assertThat(result.get("mode").getAsString()).isEqualTo("3 server processes");
    // Three jobs every second for three seconds: nine slots, each with its run.
    long fired = result.get("committed_fires").getAsLong();
    assertThat(fired + result.get("skipped_slots").getAsLong()).isEqualTo(9);
    assertThat(result.get("missed_slots").getAsLong()).isZero();
    assertThat(result.getAsJsonObject("fire_decision_lateness_ms").get("count").getAsLong()).isEqualTo(fired);
    // Scraped half a second before the window and before its end: the window's fires exactly.
    assertThat(result.getAsJsonObject("fire_commit_lateness_ms_bucket").get("count").getAsLong()).isEqualTo(fired);
    assertThat(result.get("cpu_s").getAsDouble()).isPositive();
  }
}
