package io.raftcron.server;

import static io.raftcron.server.HttpTestClient.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** /readyz follows the cluster: ready with a leader, not ready once the node's quorum is gone. */
class ReadinessClusterTest {
  @TempDir Path dir;

  @Test
  void aNodeThatLosesItsQuorumIsAliveButNotReady() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(5))) {
      HttpTestClient.awaitLeaderKnownEverywhere(cluster);
      for (String url : cluster.httpUrls()) {
        await().atMost(Duration.ofSeconds(10)).until(() -> get(url + "/readyz").statusCode() == 200);
      }
      RaftcronServer survivor = cluster.running().get(2);
      String url = "http://" + survivor.config().httpAddr();
      cluster.stop(cluster.running().get(0));
      cluster.stop(cluster.running().get(0));

      await().atMost(Duration.ofSeconds(20)).until(() -> get(url + "/readyz").statusCode() == 503);
      assertThat(get(url + "/readyz").body()).startsWith("not ready: ");
      assertThat(get(url + "/healthz").statusCode()).isEqualTo(200);
    }
  }
}
