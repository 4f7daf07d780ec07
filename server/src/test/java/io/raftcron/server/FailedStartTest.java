package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node that cannot start (its gRPC port is taken) leaves nothing behind: no raft node, no store lock. */
class FailedStartTest {
  @TempDir Path dir;

  @Test
  void aNodeWhoseGrpcPortIsTakenReleasesItsRaftPortAndStoreSoTheSameNodeStartsOnceItIsFree() throws IOException {
    int[] ports = LocalCluster.freePorts(2);
    String raft = "127.0.0.1:" + ports[0];
    String grpc = "127.0.0.1:" + ports[1];
    ServerConfig config = ServerConfig.builder("n1", dir.resolve("n1"), raft, grpc, List.of(raft)).build();

    try (ServerSocket taken = new ServerSocket(ports[1], 50, InetAddress.getLoopbackAddress())) {
      assertThatThrownBy(() -> RaftcronServer.start(config, InstantSource.system(), () -> {}))
          .isInstanceOf(IOException.class);
    }

    // The same data folder and raft port again: a leftover raft node or RocksDB lock would make this fail.
    try (RaftcronServer node = RaftcronServer.start(config, InstantSource.system(), () -> {})) {
      await().atMost(Duration.ofSeconds(30)).until(() -> node.raft().leaderTerm() > 0);
      assertThat(node.raft().leaderTerm()).isPositive();
    }
  }
}
