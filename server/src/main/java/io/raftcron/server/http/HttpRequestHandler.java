package io.raftcron.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Turns Netty's aggregated requests into router calls and the router's replies into responses. */
final class HttpRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(HttpRequestHandler.class);

  /**
   * The UI loads only its own files and talks only to its own node; no page may frame it.
   * Together with escaping every value it shows, this keeps injected markup inert.
   */
  private static final String CONTENT_SECURITY_POLICY =
      "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

  private final HttpRouter router;
  /**
   * When the previous reply on this connection has been handed to Netty. A client may send requests
   * without waiting (HTTP/1.1 pipelining) and pairs the answers with them in order, so an answer
   * ready early (a health check behind a long poll) waits its turn. One handler per connection.
   */
  private CompletableFuture<Void> previousSent = CompletableFuture.completedFuture(null);

  HttpRequestHandler(HttpRouter router) {
    this.router = router;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (request.decoderResult().isFailure()) {
      Throwable cause = request.decoderResult().cause();
      int status = cause instanceof TooLongFrameException ? 431 : 400;
      inTurn(ctx, false, CompletableFuture.completedFuture(
          HttpReply.error(status, "BAD_REQUEST", "malformed HTTP request: " + cause.getMessage())));
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    String body = request.content().toString(StandardCharsets.UTF_8);
    CompletableFuture<HttpReply> reply;
    try {
      reply = router.route(request.method().name(), request.uri(), body,
          request.headers().get(HttpHeaderNames.CONTENT_TYPE), request.headers().get(HttpHeaderNames.AUTHORIZATION));
    } catch (IllegalArgumentException e) {
      // Bad percent-escapes in the path or query.
      reply = CompletableFuture.completedFuture(HttpReply.error(400, "BAD_REQUEST", "malformed URI: " + e.getMessage()));
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    inTurn(ctx, keepAlive, reply);
  }

  /** Sends {@code reply} once it is ready and every earlier reply on the connection has been sent. */
  private void inTurn(ChannelHandlerContext ctx, boolean keepAlive, CompletableFuture<HttpReply> reply) {
    CompletableFuture<HttpReply> answer = reply.handle((r, failure) -> failure == null ? r : internal(failure));
    // exceptionally: a send that failed (the connection broke) must not keep the later answers from going out.
    previousSent = previousSent.exceptionally(failed -> null)
        .thenCombine(answer, (ignored, r) -> r)
        // On the connection's own thread: a write from another one is queued there, and a later reply
        // already complete could otherwise be written ahead of it.
        .thenAcceptAsync(r -> send(ctx, keepAlive, r), ctx.executor());
  }

  private static HttpReply internal(Throwable failure) {
    log.warn("HTTP request failed", failure);
    return HttpReply.error(500, "INTERNAL", String.valueOf(failure.getMessage()));
  }

  static void send(ChannelHandlerContext ctx, boolean keepAlive, HttpReply reply) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(reply.status()), Unpooled.wrappedBuffer(reply.body()));
    HttpHeaders headers = response.headers();
    headers.set(HttpHeaderNames.CONTENT_TYPE, reply.contentType());
    headers.setInt(HttpHeaderNames.CONTENT_LENGTH, reply.body().length);
    headers.set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    headers.set("X-Content-Type-Options", "nosniff");
    headers.set("Referrer-Policy", "no-referrer");
    headers.set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY);
    HttpUtil.setKeepAlive(response, keepAlive);
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
    if (event instanceof IdleStateEvent) {
      ctx.close();
    } else {
      super.userEventTriggered(ctx, event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A reset connection or a decoder error outside a request: drop the connection, keep serving.
    log.debug("HTTP connection error", cause);
    ctx.close();
  }
}
