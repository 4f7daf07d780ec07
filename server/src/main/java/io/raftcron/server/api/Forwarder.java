package io.raftcron.server.api;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.raftcron.proto.NodeInfo;
import io.raftcron.raft.RaftNode;
import io.raftcron.server.auth.AuthInterceptor;
import io.raftcron.server.tls.TlsFiles;
import io.raftcron.sm.store.SchedulerStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Forwards calls that only the leader can serve. The leader's gRPC address comes from the node
 * registry in the replicated state. A forwarded call is marked, and a node that receives a
 * marked call while not leading refuses it instead of forwarding again, so two nodes with stale
 * views of the leader cannot bounce a call between them. The mark grants nothing: a forwarded call
 * carries its caller's token and is authenticated again on the leader, and a mark that names no
 * registered node is ignored. Calls a node makes on its own behalf carry the node's token.
 */
public final class Forwarder implements AutoCloseable {
  private static final Metadata.Key<String> FORWARDED_BY =
      Metadata.Key.of("raftcron-forwarded-by", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> FORWARDED = Context.key("raftcron-forwarded-by");

  private final String nodeId;
  private final RaftNode raft;
  private final SchedulerStore store;
  private final TlsFiles tls;
  private final String nodeAuthorization;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /**
   * {@code tls} (null: plaintext) secures the channels to other nodes; {@code nodeToken} (null:
   * none) is this node's own bearer token for the calls it makes on its own behalf.
   */
  public Forwarder(String nodeId, RaftNode raft, SchedulerStore store, TlsFiles tls, String nodeToken) {
    this.nodeId = nodeId;
    this.raft = raft;
    this.store = store;
    this.tls = tls;
    this.nodeAuthorization = nodeToken == null ? null : "Bearer " + nodeToken;
  }

  /** Records on the call's context whether it was forwarded by a registered node. */
  public ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(
          ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String by = headers.get(FORWARDED_BY);
        boolean known = by != null && store.nodes().stream().anyMatch(n -> n.getNodeId().equals(by));
        Context ctx = Context.current().withValue(FORWARDED, known ? by : null);
        return Contexts.interceptCall(ctx, call, headers, next);
      }
    };
  }

  public Optional<NodeInfo> leader() {
    return raft.leaderAddress()
        .flatMap(addr -> store.nodes().stream().filter(n -> n.getRaftAddr().equals(addr)).findFirst());
  }

  /** Calls {@code method} on the leader; fails with UNAVAILABLE when that is not possible. */
  public <Q, R> CompletableFuture<R> toLeader(MethodDescriptor<Q, R> method, Q request) {
    if (FORWARDED.get() != null) {
      return CompletableFuture.failedFuture(
          Status.UNAVAILABLE
              .withDescription("node " + nodeId + " is not the leader either; retry")
              .asRuntimeException());
    }
    Optional<NodeInfo> leader = leader();
    if (leader.isEmpty()) {
      return CompletableFuture.failedFuture(
          Status.UNAVAILABLE
              .withDescription("no leader known to node " + nodeId + " yet; retry")
              .asRuntimeException());
    }
    Metadata headers = new Metadata();
    headers.put(FORWARDED_BY, nodeId);
    Channel channel =
        ClientInterceptors.intercept(
            channel(leader.get().getGrpcAddr()), MetadataUtils.newAttachHeadersInterceptor(headers));
    CallOptions options = CallOptions.DEFAULT;
    if (Context.current().getDeadline() == null) {
      options = options.withDeadlineAfter(30, TimeUnit.SECONDS);
    }
    CompletableFuture<R> result = new CompletableFuture<>();
    var future = ClientCalls.futureUnaryCall(channel.newCall(method, options), request);
    future.addListener(
        () -> {
          try {
            result.complete(future.get());
          } catch (Exception e) {
            result.completeExceptionally(e);
          }
        },
        Runnable::run);
    return result;
  }

  /**
   * A channel to another node, kept for the life of this node. Its calls carry the token of the
   * call being served (forwarding keeps the caller's identity), or else this node's own.
   */
  public Channel channel(String grpcAddr) {
    ManagedChannel channel = channels.computeIfAbsent(
        grpcAddr, addr -> (tls == null ? NettyChannelBuilder.forTarget(addr).usePlaintext() : tls.peerChannel(addr))
            .build());
    return ClientInterceptors.intercept(channel, new CallerCredentials());
  }

  /** Attaches the caller's authorization header, or this node's own, to a call to another node. */
  private final class CallerCredentials implements ClientInterceptor {
    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      String authorization = AuthInterceptor.callerAuthorization().orElse(nodeAuthorization);
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          if (authorization != null) {
            headers.put(AuthInterceptor.AUTHORIZATION, authorization);
          }
          super.start(listener, headers);
        }
      };
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
