package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Prometheus rules and Grafana dashboard against the real thing: promtool checks and
 * unit-tests the rules, and every metric the rules and the dashboard query is one a real node
 * exposes (a renamed metric would otherwise leave a silent rule or an empty panel).
 */
class DeployedQueriesTest {
  static final Path DEPLOY = Path.of("..", "deploy");
  private static final Pattern METRIC = Pattern.compile("\\b((?:raftcron|jvm|jraft)_[a-zA-Z0-9_]+)");
  private static final List<String> SUFFIXES = List.of("", "_total", "_bucket", "_count", "_sum", "_created", "_info");

  @TempDir Path dir;

  @Test
  void promtoolAcceptsTheRulesAndTheirUnitTestsPass() throws Exception {
    Path rules = DEPLOY.resolve("prometheus");
    assertThat(promtool(rules, "check", "rules", "alerts.yml")).contains("SUCCESS");
    assertThat(promtool(rules, "test", "rules", "alerts_test.yml")).contains("SUCCESS");
  }

  @Test
  void everyMetricTheRulesAndTheDashboardQueryIsExposedByANode() throws Exception {
    String dashboard = Files.readString(DEPLOY.resolve("grafana/raftcron.json"));
    // Valid JSON (protobuf's parser is strict): a Struct takes any JSON object.
    JsonFormat.parser().merge(dashboard, com.google.protobuf.Struct.newBuilder());
    Set<String> queried = new TreeSet<>();
    queried.addAll(metricsIn(Files.readString(DEPLOY.resolve("prometheus/alerts.yml"))));
    queried.addAll(metricsIn(dashboard));
    assertThat(queried).contains("raftcron_raft_leader", "raftcron_job_fire_lateness_seconds_bucket");

    try (LocalCluster cluster = new LocalCluster(dir, 1, Duration.ofSeconds(3))) {
      cluster.awaitLeader(Duration.ofSeconds(30));
      Set<String> exposed = new TreeSet<>();
      for (MetricSnapshot snapshot : cluster.running().get(0).metricsRegistry().scrape()) {
        String name = snapshot.getMetadata().getPrometheusName();
        SUFFIXES.forEach(suffix -> exposed.add(name + suffix));
      }
      assertThat(exposed).containsAll(queried);
    }
  }

  private static Set<String> metricsIn(String text) {
    Set<String> names = new TreeSet<>();
    Matcher m = METRIC.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static String promtool(Path dir, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("promtool"));
    command.addAll(List.of(args));
    Process process;
    try {
      process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException("promtool is not installed: run scripts/install-deps.sh (Debian package prometheus)", e);
    }
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("promtool " + String.join(" ", args) + " did not finish in 60 s");
    }
    String output = new String(process.getInputStream().readAllBytes());
    assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
    return output;
  }
}
