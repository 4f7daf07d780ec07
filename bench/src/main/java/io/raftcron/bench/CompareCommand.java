package io.raftcron.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Puts raftcron's fire figures beside Quartz's and db-scheduler's (the latest line of each in a
 * results file) as a Markdown table, with ratios that read "raftcron is N× better": fires per
 * second raftcron ÷ peer, p99 lateness peer ÷ raftcron.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Table of the latest fire, quartz and db-scheduler results in a results.jsonl, with ratios.")
final class CompareCommand implements Callable<Integer> {
  private static final List<String> SCHEDULERS = List.of("fire", "quartz", "db-scheduler");

  @Parameters(index = "0", description = "bench/target/results.jsonl")
  Path results;

  @Override
  public Integer call() throws Exception {
    Map<String, JsonObject> latest = new LinkedHashMap<>();
    for (String line : Files.readAllLines(results)) {
      if (!line.startsWith("{")) {
        continue; // an append-only file: a stray line (a library's chatter on stdout) must not end all comparisons
      }
      JsonObject r = JsonParser.parseString(line).getAsJsonObject();
      String scenario = r.get("scenario").getAsString();
      if (SCHEDULERS.contains(scenario) && !r.has("mode")) { // fire in one JVM: a run of server processes names its mode
        latest.put(scenario, r);
      }
    }
    JsonObject raftcron = latest.get("fire");
    if (raftcron == null) {
      System.err.println("no fire result in " + results);
      return 1;
    }
    System.out.println("| scheduler | nodes | jobs | fires/s | lateness p50 / p99 / max (ms) | duplicates | missed | CPU s per 1000 fires | load avg | fires/s: raftcron ÷ peer | p99 lateness: peer ÷ raftcron |");
    System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
    for (String name : SCHEDULERS) {
      JsonObject r = latest.get(name);
      if (r == null) {
        continue;
      }
      JsonObject lat = r.getAsJsonObject("fire_lateness_ms");
      String fireRatio = name.equals("fire") ? "" : ratio(raftcron.get("fires_per_s").getAsDouble(), r.get("fires_per_s").getAsDouble());
      String latRatio = name.equals("fire") ? "" : ratio(lat.get("p99").getAsDouble(), raftcron.getAsJsonObject("fire_lateness_ms").get("p99").getAsDouble());
      System.out.printf("| %s | %d | %d | %.0f | %.1f / %.1f / %.1f | %d | %d | %.3f | %.1f | %s | %s |%n",
          name.equals("fire") ? "raftcron" : name, r.get("nodes").getAsInt(), r.get("jobs").getAsInt(),
          r.get("fires_per_s").getAsDouble(), lat.get("p50").getAsDouble(), lat.get("p99").getAsDouble(),
          lat.get("max").getAsDouble(), r.get("duplicates").getAsLong(), r.get("missed_slots").getAsLong(),
          r.get("cpu_s_per_1000_fires").getAsDouble(), r.get("load_avg_start").getAsDouble(), fireRatio, latRatio);
    }
    return 0;
  }

  private static String ratio(double ours, double theirs) {
    return theirs == 0 ? "∞" : String.format("%.2f×", ours / theirs);
  }
}
