package io.raftcron.server.http;

import io.grpc.ServerServiceDefinition;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftcron.raft.RaftNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The node's HTTP endpoint: the JSON API, /healthz, /readyz, /metrics and the web UI.
 *
 * <p>Served by Netty's HTTP/1.1 codec: Netty is already on the classpath (under gRPC and Raft),
 * its decoder enforces per-server limits on the request line, the headers and the body (the JDK's
 * built-in server only has JVM-wide properties for the headers and none for the body), and it
 * answers without blocking a thread per slow client.
 */
public final class HttpEndpoint implements AutoCloseable {
  static final int MAX_INITIAL_LINE = 4096;
  static final int MAX_HEADER_BYTES = 16 * 1024;
  static final int MAX_BODY_BYTES = 1024 * 1024;
  static final int IDLE_SECONDS = 120;

  private final GrpcJsonGateway gateway;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Channel channel;

  private HttpEndpoint(InetSocketAddress address, List<ServerServiceDefinition> services, RaftNode raft, PrometheusRegistry registry)
      throws IOException {
    this.gateway = new GrpcJsonGateway(services);
    HttpRouter router = new HttpRouter(gateway, new NodeReadiness(raft), registry);
    this.boss = new NioEventLoopGroup(1, new DefaultThreadFactory("raftcron-http-accept", true));
    this.workers = new NioEventLoopGroup(2, new DefaultThreadFactory("raftcron-http", true));
    ServerBootstrap bootstrap =
        new ServerBootstrap()
            .group(boss, workers)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                        .addLast(new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADER_BYTES, 8192))
                        .addLast(new BodyAggregator())
                        .addLast(new HttpRequestHandler(router));
                  }
                });
    try {
      this.channel = bootstrap.bind(address).sync().channel();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      close();
      throw new IOException("interrupted while binding HTTP to " + address, e);
    } catch (RuntimeException e) {
      close();
      throw new IOException("cannot listen for HTTP on " + address + ": " + e.getMessage(), e);
    }
  }

  /**
   * Listens on {@code address}. {@code services} are the gRPC server's registered definitions
   * (with their interceptors): every unary method among them is served as JSON.
   */
  public static HttpEndpoint start(
      InetSocketAddress address, List<ServerServiceDefinition> services, RaftNode raft, PrometheusRegistry registry)
      throws IOException {
    return new HttpEndpoint(address, services, raft, registry);
  }

  /** The bound address (the real port when 0 was asked). */
  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
    boss.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 2, TimeUnit.SECONDS);
    gateway.close();
  }

  /** Netty's aggregator, whose answer to a body over the limit is the API's JSON error rather than an empty 413. */
  private static final class BodyAggregator extends HttpObjectAggregator {
    BodyAggregator() {
      super(MAX_BODY_BYTES);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
      // As Netty does: close unless the client can still be stopped before it sends the body, or keeps the connection.
      boolean close = oversized instanceof FullHttpMessage
          || !HttpUtil.is100ContinueExpected(oversized) && !HttpUtil.isKeepAlive(oversized);
      HttpRequestHandler.send(ctx, !close,
          HttpReply.error(413, "PAYLOAD_TOO_LARGE", "the body is over " + MAX_BODY_BYTES / (1024 * 1024) + " MiB"));
    }
  }
}
