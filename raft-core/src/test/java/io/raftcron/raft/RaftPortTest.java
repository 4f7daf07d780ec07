package io.raftcron.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Raft port listens on the node's own IP only, and drops connections from hosts that are not
 * peers. On Linux every 127.x.y.z address is this host, so 127.0.0.2 plays a stranger.
 */
class RaftPortTest {
  @TempDir Path dir;

  @Test
  void theRaftPortListensOnTheGivenIpOnlyAndClosesConnectionsFromStrangers() throws Exception {
    try (TestCluster cluster = new TestCluster(dir, 3).startAll()) {
      cluster.awaitLeader();
      String addr = cluster.members[0].addr;
      int port = Integer.parseInt(addr.substring(addr.indexOf(':') + 1));
      InetAddress stranger = InetAddress.getByName("127.0.0.2");

      assertThatThrownBy(() -> new Socket(stranger, port).close())
          .as("nothing listens on another address of this host").isInstanceOf(ConnectException.class);

      try (Socket fromStranger = new Socket()) {
        fromStranger.bind(new InetSocketAddress(stranger, 0));
        fromStranger.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        fromStranger.setSoTimeout(10_000);
        assertThat(readOrTimeout(fromStranger.getInputStream())).as("closed by the node").isEqualTo(-1);
      }
      try (Socket fromPeerHost = new Socket()) {
        fromPeerHost.connect(new InetSocketAddress("127.0.0.1", port), 2000);
        fromPeerHost.setSoTimeout(2_000);
        assertThat(readOrTimeout(fromPeerHost.getInputStream())).as("kept open for a peer's address").isEqualTo(-2);
      }
      cluster.awaitLeader();
    }
  }

  /** -1 when the peer closed the connection, -2 when nothing came before the socket's timeout. */
  private static int readOrTimeout(InputStream in) throws IOException {
    try {
      return in.read() == -1 ? -1 : 0;
    } catch (SocketTimeoutException e) {
      return -2;
    } catch (java.net.SocketException reset) {
      return -1;
    }
  }
}
