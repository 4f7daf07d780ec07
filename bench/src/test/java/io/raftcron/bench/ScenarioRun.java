package io.raftcron.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** A scenario run as {@code raftcron bench} runs it, its stdout captured: the exit status and what it printed. */
record ScenarioRun(int exit, String out) {
  static ScenarioRun of(String... args) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int exit;
    try {
      System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
      exit = BenchMain.run(args);
    } finally {
      System.setOut(stdout);
    }
    return new ScenarioRun(exit, captured.toString(StandardCharsets.UTF_8).trim());
  }

  /** The result: the last line printed. */
  JsonObject result() {
    return JsonParser.parseString(out.lines().reduce((a, b) -> b).orElseThrow()).getAsJsonObject();
  }
}
