package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.worker.Outcome;
import io.raftcron.client.worker.Worker;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.server.metrics.RunTraceIds;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --otlp-endpoint end to end: a three-node cluster exports its finished runs' traces over OTLP/HTTP
 * to a receiver in the test; the export carries the trace id derived from a finished run's id.
 */
class TracingClusterTest {
  @TempDir Path dir;

  @Test
  void theLeaderExportsEachFinishedRunsTraceOverOtlp() throws Exception {
    List<byte[]> exports = new CopyOnWriteArrayList<>();
    List<String> contentTypes = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/v1/traces", exchange -> {
      contentTypes.add(exchange.getRequestHeaders().getFirst("Content-Type"));
      exports.add(exchange.getRequestBody().readAllBytes());
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    URI endpoint = URI.create("http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces");
    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(3), b -> b.otlpEndpoint(endpoint));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20));
        Worker worker = Worker.builder().endpoints(cluster.grpcAddrs()).workerId("w1").pollWait(Duration.ofSeconds(2))
            .handler(run -> Outcome.success()).build()) {
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader().isPresent());
      worker.start();
      client.createJob(JobSpec.newBuilder().setName("traced").setSchedule("@every 1s")
          .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true"))).build());
      await().atMost(Duration.ofSeconds(30)).until(() -> !client.listRuns("", RunState.SUCCEEDED, 1).isEmpty());
      Run finished = client.listRuns("", RunState.SUCCEEDED, 1).get(0);
      byte[] traceId = HexFormat.of().parseHex(RunTraceIds.traceIdOf(finished.getRunId()));
      // The batch exporter sends within its 5 s schedule delay.
      await().atMost(Duration.ofSeconds(30)).until(() -> exports.stream().anyMatch(body -> contains(body, traceId)));
      assertThat(contentTypes).allMatch(type -> type.startsWith("application/x-protobuf"));
    } finally {
      collector.stop(0);
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
