package io.raftcron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;

/**
 * The failover scenario's kill mode works, on a tiny workload: three real server processes, the
 * leader's killed with SIGKILL, every slot of the window read back through the API. A functional
 * check, not a benchmark (no time is judged).
 */
class KilledLeaderFailoverTest {

  @Test
  void theSuccessorOfAKilledLeaderFiresAndEverySlotOfTheWindowHasItsRun() {
    ScenarioRun run = ScenarioRun.of("failover", "--kill", "--jobs", "3", "--duration", "3", "--warmup", "2",
        "--node-java-opts", "-Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");

    assertThat(run.exit()).as(run.out()).isZero();
    JsonObject result = run.result();
    assertThat(result.get("scenario").getAsString()).isEqualTo("failover");
    assertThat(result.get("mode").getAsString()).contains("kill -9");
    assertThat(result.get("new_leader").getAsString()).isNotEqualTo(result.get("killed_leader").getAsString());
    // Three jobs every second for three seconds: nine slots, each with exactly one run.
    assertThat(result.get("fired_slots").getAsLong() + result.get("skipped_slots").getAsLong()).isEqualTo(9);
    assertThat(result.get("missed_slots").getAsLong()).isZero();
    assertThat(result.get("next_fire_ms").getAsDouble()).isPositive();
  }
}
