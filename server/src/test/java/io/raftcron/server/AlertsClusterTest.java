package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.util.JsonFormat;
import com.sun.net.httpserver.HttpServer;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.worker.Outcome;
import io.raftcron.client.worker.Worker;
import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertEvent;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.AlertState;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.server.leader.AlertRules;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Built-in alerts on a real three-node cluster with a real webhook receiver: a failing job raises
 * FAILING_JOB, the webhook gets the transition once, a leader failover keeps the alert and does
 * not send it again, and recovery resolves it with exactly one more delivery.
 */
class AlertsClusterTest {
  private static final Duration LEASE = Duration.ofSeconds(3);
  private static final AlertRules RULES =
      AlertRules.DEFAULT.withCheckInterval(Duration.ofMillis(300)).withFailuresInARow(2);

  @TempDir Path dir;
  private HttpServer receiver;
  private final List<AlertEvent> received = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startReceiver() throws IOException {
    receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    receiver.createContext("/hook", exchange -> {
      AlertEvent.Builder event = AlertEvent.newBuilder();
      JsonFormat.parser().merge(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), event);
      received.add(event.build());
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    receiver.start();
  }

  @AfterEach
  void stopReceiver() {
    receiver.stop(0);
  }

  private URI hook() {
    return URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
  }

  private static Optional<Alert> alert(RaftcronClient client, String id) {
    return client.listAlerts(true).stream().filter(a -> a.getId().equals(id)).findFirst();
  }

  private List<AlertState> transitions(String id) {
    return received.stream().filter(e -> e.getAlert().getId().equals(id)).map(AlertEvent::getTransition).toList();
  }

  @Test
  void aFailingJobAlertSurvivesFailoverAndTheWebhookGetsEachTransitionOnce() throws Exception {
    AtomicBoolean failing = new AtomicBoolean(true);
    String id = "failing-job/flaky";
    try (LocalCluster cluster = new LocalCluster(dir, 3, LEASE, b -> b.alertRules(RULES).alertWebhook(hook()));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20));
        Worker worker = Worker.builder()
            .endpoints(cluster.grpcAddrs())
            .workerId("w1")
            .concurrency(2)
            .pollWait(Duration.ofSeconds(2))
            .handler(run -> failing.get() ? Outcome.failure(1, "disk full") : Outcome.success())
            .build()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader().isPresent());
      worker.start();
      client.createJob(JobSpec.newBuilder()
          .setName("flaky")
          .setSchedule("@every 1s")
          .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
          .build());

      // Two failures in a row: the alert fires, is delivered once, and the delivery is committed.
      await().atMost(Duration.ofSeconds(30)).until(() -> alert(client, id).map(Alert::getNotifiedFiring).orElse(false));
      Alert firing = alert(client, id).orElseThrow();
      assertThat(firing.getState()).isEqualTo(AlertState.FIRING);
      assertThat(firing.getKind()).isEqualTo(AlertKind.FAILING_JOB);
      assertThat(firing.getDetail()).contains("disk full");
      assertThat(transitions(id)).containsExactly(AlertState.FIRING);
      assertThat(received.get(0).getClusterLeader()).isEqualTo(cluster.leader().orElseThrow().config().nodeId());
      for (RaftcronServer node : cluster.running()) {
        assertThat(Scrape.of(node.metricsRegistry()).value("raftcron_alerts_firing", "kind=\"FAILING_JOB\"")).hasValue(1.0);
      }

      // A new leader finds the alert in the replicated state and does not deliver it again.
      RaftcronServer oldLeader = cluster.leader().orElseThrow();
      cluster.stop(oldLeader);
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader().isPresent());
      assertThat(alert(client, id)).hasValueSatisfying(a -> {
        assertThat(a.getState()).isEqualTo(AlertState.FIRING);
        assertThat(a.getRaisedIndex()).isEqualTo(firing.getRaisedIndex());
      });
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3)).until(() -> transitions(id).size() == 1);

      // The job recovers: the alert resolves and exactly one more transition is delivered.
      failing.set(false);
      await().atMost(Duration.ofSeconds(30)).until(() -> alert(client, id).map(Alert::getNotifiedResolved).orElse(false));
      assertThat(alert(client, id).orElseThrow().getState()).isEqualTo(AlertState.RESOLVED);
      await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(3))
          .until(() -> transitions(id).equals(List.of(AlertState.FIRING, AlertState.RESOLVED)));
      assertThat(client.listAlerts(false)).extracting(Alert::getId).doesNotContain(id);
      assertThat(cluster.fatalError()).isNull();
    }
  }
}
