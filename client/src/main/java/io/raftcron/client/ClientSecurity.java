package io.raftcron.client;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.net.ssl.SSLException;

/**
 * How a client proves who it is and checks whom it talks to: a bearer token (null: none), and TLS
 * with the CA that signed the nodes' certificates (null: plaintext) and, for mutual TLS, this
 * client's own certificate and key (PEM files).
 */
public record ClientSecurity(String token, Path tlsCa, Path tlsCert, Path tlsKey) {
  /** No token, plaintext: for a cluster on loopback with authentication off. */
  public static final ClientSecurity NONE = new ClientSecurity(null, null, null, null);

  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  public ClientSecurity {
    if (token != null && token.isBlank()) {
      token = null;
    }
    if ((tlsCert == null) != (tlsKey == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together (a client certificate and its key)");
    }
    if (tlsCert != null && tlsCa == null) {
      throw new IllegalArgumentException("--tls-cert needs --tls-ca: a client certificate is only sent over TLS");
    }
    for (Path file : new Path[] {tlsCa, tlsCert, tlsKey}) {
      if (file != null && !Files.isReadable(file)) {
        throw new IllegalArgumentException("TLS file " + file + " does not exist or is not readable");
      }
    }
  }

  public static ClientSecurity token(String token) {
    return new ClientSecurity(token, null, null, null);
  }

  public ClientSecurity withToken(String newToken) {
    return new ClientSecurity(newToken, tlsCa, tlsCert, tlsKey);
  }

  /** A channel to one node with this security. */
  public ManagedChannel channel(String host, int port) {
    NettyChannelBuilder builder = NettyChannelBuilder.forAddress(host, port);
    if (tlsCa == null) {
      builder.usePlaintext();
    } else {
      try {
        SslContextBuilder ssl = GrpcSslContexts.forClient().trustManager(tlsCa.toFile());
        if (tlsCert != null) {
          ssl.keyManager(tlsCert.toFile(), tlsKey.toFile());
        }
        builder.sslContext(ssl.build());
      } catch (SSLException | IllegalArgumentException e) {
        throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage(), e);
      }
    }
    if (token != null) {
      Metadata headers = new Metadata();
      headers.put(AUTHORIZATION, "Bearer " + token);
      builder.intercept(new ClientInterceptor[] {MetadataUtils.newAttachHeadersInterceptor(headers)});
    }
    return builder.build();
  }

  @Override
  public String toString() { // never print the token
    return "ClientSecurity[token=" + (token == null ? "none" : "***") + ", tlsCa=" + tlsCa + ", tlsCert=" + tlsCert + "]";
  }
}
