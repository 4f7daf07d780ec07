package io.raftcron.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.JsonFormat;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.worker.Outcome;
import io.raftcron.client.worker.Worker;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ListAlertsResponse;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.server.RaftcronServer;
import io.raftcron.server.ServerConfig;
import io.raftcron.server.leader.AlertRules;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code raftcron alerts} against a real one-node cluster whose only job keeps failing. */
class AlertsCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();

  private int execute(String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(new StringWriter(), true));
    return cli.execute(args);
  }

  private static String freeAddr() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }

  @Test
  void theServerRefusesAWebhookThatIsNotAnHttpUrl() throws Exception {
    String raft = freeAddr();
    StringWriter err = new StringWriter();
    int code = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
        Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(
            "server", "--node-id", "n1", "--data-dir", dir.toString(), "--raft-addr", raft,
            "--grpc-addr", freeAddr(), "--peers", raft, "--alert-webhook", "ftp://hooks.example/x"));
    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--alert-webhook must be an http or https URL, not 'ftp://hooks.example/x'");
    assertThat(dir.resolve("state")).doesNotExist();
  }

  @Test
  void listsTheFiringAlertAsATableAndAsJson() throws Exception {
    String raft = freeAddr();
    String grpc = freeAddr();
    ServerConfig config = ServerConfig.builder("n1", dir, raft, grpc, List.of(raft))
        .alertRules(AlertRules.DEFAULT.withFailuresInARow(1).withCheckInterval(Duration.ofMillis(200)))
        .build();
    try (RaftcronServer server = RaftcronServer.start(config);
        RaftcronClient client = RaftcronClient.connect(List.of(grpc), Duration.ofSeconds(20));
        Worker worker = Worker.builder().endpoints(List.of(grpc)).workerId("w1").pollWait(Duration.ofSeconds(2))
            .handler(run -> Outcome.failure(4, "cannot reach db")).build()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> server.raft().isLeader());
      assertThat(execute("alerts", "--cluster", grpc)).isZero();
      assertThat(out.toString()).contains("no alerts firing");

      worker.start();
      client.createJob(JobSpec.newBuilder().setName("report").setSchedule("@every 1s")
          .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true"))).build());
      await().atMost(Duration.ofSeconds(30)).until(() -> !client.listAlerts(false).isEmpty());

      out.getBuffer().setLength(0);
      assertThat(execute("alerts", "--cluster", grpc)).isZero();
      String[] lines = out.toString().split("\n");
      assertThat(lines[0]).startsWith("STATE").contains("KIND", "JOB", "SINCE", "DETAIL");
      assertThat(lines[1]).startsWith("FIRING").contains("FAILING_JOB", "report", "cannot reach db");

      out.getBuffer().setLength(0);
      assertThat(execute("alerts", "--all", "--output", "json", "--cluster", grpc)).isZero();
      ListAlertsResponse.Builder parsed = ListAlertsResponse.newBuilder();
      JsonFormat.parser().merge(out.toString(), parsed);
      assertThat(parsed.getAlertsList()).anySatisfy(a -> {
        assertThat(a.getId()).isEqualTo("failing-job/report");
        assertThat(a.getKind()).isEqualTo(AlertKind.FAILING_JOB);
      });
    }
  }
}
