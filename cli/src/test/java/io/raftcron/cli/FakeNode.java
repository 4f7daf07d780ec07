package io.raftcron.cli;

import io.grpc.BindableService;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A fake node for CLI tests ({@code @RegisterExtension}): serves the given gRPC services on a free loopback port
 * during each test and records every request message it receives, in order.
 */
final class FakeNode implements BeforeEachCallback, AfterEachCallback {
  final Queue<Object> requests = new ConcurrentLinkedQueue<>();
  private final List<BindableService> services;
  private Server server;

  FakeNode(BindableService... services) {
    this.services = List.of(services);
  }

  /** The {@code --cluster} value that reaches this node. */
  String endpoint() {
    return "127.0.0.1:" + server.getPort();
  }

  /** The last request of this type. */
  <T> T last(Class<T> type) {
    return requests.stream().filter(type::isInstance).map(type::cast).reduce((a, b) -> b).orElseThrow();
  }

  static <T> void reply(StreamObserver<T> response, T value) {
    response.onNext(value);
    response.onCompleted();
  }

  @Override
  public void beforeEach(ExtensionContext context) throws Exception {
    requests.clear();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0));
    for (BindableService service : services) {
      builder.addService(ServerInterceptors.intercept(service, new Recorder()));
    }
    server = builder.build().start();
  }

  @Override
  public void afterEach(ExtensionContext context) throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private final class Recorder implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      return new SimpleForwardingServerCallListener<>(next.startCall(call, headers)) {
        @Override
        public void onMessage(Q message) {
          requests.add(message);
          super.onMessage(message);
        }
      };
    }
  }
}
