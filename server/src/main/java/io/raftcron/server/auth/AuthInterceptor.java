package io.raftcron.server.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Authenticates every call by its bearer token ({@code authorization: Bearer TOKEN}) and checks
 * the caller's role against {@link MethodAccess}. A worker token's calls must name its own worker
 * id. The raw header stays on the call's context so that a call forwarded to the leader is made
 * with the caller's identity, and checked there again.
 */
public final class AuthInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> CALLER_AUTHORIZATION = Context.key("raftcron-authorization");
  private static final String BEARER = "Bearer ";

  private final TokenFile tokens;

  public AuthInterceptor(TokenFile tokens) {
    this.tokens = tokens;
  }

  /** The authorization header of the current call, to forward it; empty outside a call or with auth off. */
  public static Optional<String> callerAuthorization() {
    return Optional.ofNullable(CALLER_AUTHORIZATION.get());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    String header = headers.get(AUTHORIZATION);
    if (header == null) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription(
          "no token: this cluster requires a bearer token (pass --token or set RAFTCRON_TOKEN)"));
    }
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription(
          "the authorization header must be 'Bearer <token>'"));
    }
    Optional<Principal> caller = tokens.authenticate(header.substring(BEARER.length()).strip());
    if (caller.isEmpty()) {
      return refuse(call, Status.UNAUTHENTICATED.withDescription(
          "the token is not valid on this cluster (unknown or revoked)"));
    }
    Principal principal = caller.get();
    MethodAccess.Rule rule = MethodAccess.of(method);
    if (!principal.role().grants(rule.role())) {
      return refuse(call, Status.PERMISSION_DENIED.withDescription(
          principal + " may not call " + method + ": it needs role " + rule.role().label()));
    }
    Context context = Context.current().withValues(Principal.CURRENT, principal, CALLER_AUTHORIZATION, header);
    ServerCall.Listener<Q> listener = Contexts.interceptCall(context, call, headers, next);
    return rule.workerId() == null ? listener : new WorkerIdCheck<>(listener, call, principal, rule);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status) {
    call.close(status, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  /** Refuses a worker call that names another worker id than the token's; drops the call after. */
  private static final class WorkerIdCheck<Q, R> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<Q> {
    private final ServerCall<Q, R> call;
    private final Principal principal;
    private final MethodAccess.Rule rule;
    private boolean refused;

    WorkerIdCheck(ServerCall.Listener<Q> delegate, ServerCall<Q, R> call, Principal principal, MethodAccess.Rule rule) {
      super(delegate);
      this.call = call;
      this.principal = principal;
      this.rule = rule;
    }

    @Override
    public void onMessage(Q message) {
      if (refused) {
        return;
      }
      String workerId = rule.workerId().apply(message);
      if (!principal.mayActAsWorker(workerId)) {
        refused = true;
        call.close(Status.PERMISSION_DENIED.withDescription(principal + " may not act as worker '"
            + workerId + "': a worker token acts only for its own worker id"), new Metadata());
        return;
      }
      super.onMessage(message);
    }

    @Override
    public void onHalfClose() {
      if (!refused) {
        super.onHalfClose();
      }
    }
  }
}
