package io.raftcron.server.tls;

import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * A node's TLS material, PEM files: its certificate chain and key; optionally the CA that client
 * certificates must chain to (then every client must present one: mutual TLS), and the CA that
 * the other nodes' certificates chain to, for calls forwarded between nodes (default: the client
 * CA if given, else the JVM's trust store).
 */
public record TlsFiles(Path certChain, Path privateKey, Path clientCa, Path peerCa) {
  public TlsFiles {
    if (certChain == null) {
      throw new IllegalArgumentException("--tls-cert is required with --tls-key");
    }
    if (privateKey == null) {
      throw new IllegalArgumentException("--tls-key is required with --tls-cert");
    }
    for (Path file : new Path[] {certChain, privateKey, clientCa, peerCa}) {
      if (file != null && !Files.isReadable(file)) {
        throw new IllegalArgumentException("TLS file " + file + " does not exist or is not readable");
      }
    }
  }

  /** Serves TLS only; with a client CA, refuses clients without a certificate it signed. */
  public NettyServerBuilder secure(NettyServerBuilder builder) {
    try {
      SslContextBuilder ssl = GrpcSslContexts.forServer(certChain.toFile(), privateKey.toFile());
      if (clientCa != null) {
        ssl.trustManager(clientCa.toFile()).clientAuth(ClientAuth.REQUIRE);
      }
      return builder.sslContext(ssl.build());
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalArgumentException("cannot use TLS files " + certChain + " / " + privateKey + ": "
          + e.getMessage(), e);
    }
  }

  /** A channel to another node: verifies its certificate and shows this node's own when mTLS is on. */
  public NettyChannelBuilder peerChannel(String target) {
    try {
      SslContextBuilder ssl = GrpcSslContexts.forClient();
      Path trust = peerCa != null ? peerCa : clientCa;
      if (trust != null) {
        ssl.trustManager(trust.toFile());
      }
      if (clientCa != null) {
        ssl.keyManager(certChain.toFile(), privateKey.toFile());
      }
      SslContext context = ssl.build();
      return NettyChannelBuilder.forTarget(target).sslContext(context);
    } catch (SSLException e) {
      throw new IllegalArgumentException("cannot build a TLS client for " + target + ": " + e.getMessage(), e);
    }
  }
}
