package io.raftcron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The failover scenario's kill mode works, on a tiny workload: three real server processes, the
 * leader's killed with SIGKILL, every slot of the window read back through the API. A functional
 * check, not a benchmark (no time is judged).
 */
class KilledLeaderFailoverTest {

  @Test
  void theSuccessorOfAKilledLeaderFiresAndEverySlotOfTheWindowHasItsRun() {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      exit = BenchMain.run("failover", "--kill", "--jobs", "3", "--duration", "3", "--warmup", "2",
          "--node-java-opts", "-Xmx160m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");
    } finally {
      System.setOut(stdout);
    }

    String out = captured.toString(StandardCharsets.UTF_8).trim();
    assertThat(exit).as(out).isZero();
    JsonObject result = JsonParser.parseString(out.lines().reduce((a, b) -> b).orElseThrow()).getAsJsonObject();
    assertThat(result.get("scenario").getAsString()).isEqualTo("failover");
    assertThat(result.get("mode").getAsString()).contains("kill -9");
    assertThat(result.get("new_leader").getAsString()).isNotEqualTo(result.get("killed_leader").getAsString());
    // Three jobs every second for three seconds: nine slots, each with exactly one run.
    assertThat(result.get("fired_slots").getAsLong() + result.get("skipped_slots").getAsLong()).isEqualTo(9);
    assertThat(result.get("missed_slots").getAsLong()).isZero();
    assertThat(result.get("next_fire_ms").getAsDouble()).isPositive();
  }
}
