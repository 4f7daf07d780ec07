package io.raftcron.raft;

import com.alipay.remoting.ConnectionEventType;
import com.alipay.remoting.config.BoltServerOption;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.rpc.RaftRpcServerFactory;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.rpc.impl.BoltRpcServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft (Bolt) RPC server as jraft makes it, but bound to this node's own IP rather than every
 * interface, and closing every connection from a host that is not one of the peers. Bolt reports a
 * connection asynchronously, so this is a tripwire and not a firewall: a request sent in the first
 * moments of a connection may still be handled. The Raft network must still be private.
 */
final class PeerOnlyRpcServer {
  private static final Logger LOG = LoggerFactory.getLogger(PeerOnlyRpcServer.class);

  private PeerOnlyRpcServer() {}

  static RpcServer create(PeerId self, Supplier<Collection<PeerId>> peers, Executor raftExecutor, Executor cliExecutor) {
    com.alipay.remoting.rpc.RpcServer bolt = new com.alipay.remoting.rpc.RpcServer(self.getIp(), self.getPort(), true);
    bolt.option(BoltServerOption.SERVER_SYNC_STOP, true); // as jraft's own factory does
    bolt.addConnectionEventProcessor(ConnectionEventType.CONNECT, (remote, connection) -> {
      if (!isPeer(connection.getRemoteAddress().getAddress(), peers.get())) {
        LOG.warn("closing a raft connection from {}: not a peer of this group", remote);
        connection.close();
      }
    });
    RpcServer server = new BoltRpcServer(bolt);
    RaftRpcServerFactory.addRaftRequestProcessors(server, raftExecutor, cliExecutor);
    return server;
  }

  private static boolean isPeer(InetAddress remote, Collection<PeerId> peers) {
    if (peers.isEmpty()) {
      return true; // a node started with --join knows no peer until the leader, whoever it is, adds it
    }
    for (PeerId peer : peers) {
      try {
        for (InetAddress address : InetAddress.getAllByName(peer.getIp())) {
          if (address.equals(remote)) {
            return true;
          }
        }
      } catch (UnknownHostException e) {
        // A peer whose name does not resolve now cannot be the one connecting.
      }
    }
    return false;
  }
}
