package io.raftcron.server.api;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/**
 * Cuts a long status description. grpc-java sends it as the percent-encoded {@code grpc-message}
 * trailer, and a client refuses a trailer block over 8 KiB: an error that quoted a 20 KB job name
 * reached the caller as a reset stream instead of its NOT_FOUND or INVALID_ARGUMENT.
 */
public final class BoundedStatusMessages implements ServerInterceptor {
  /** Characters kept: percent-encoded, even 9 bytes a character stay far below 8 KiB. */
  static final int MAX_CHARS = 700;

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      public void close(Status status, Metadata trailers) {
        super.close(bounded(status), trailers);
      }
    }, headers);
  }

  static Status bounded(Status status) {
    String description = status.getDescription();
    return description == null || description.length() <= MAX_CHARS
        ? status
        : status.withDescription(description.substring(0, MAX_CHARS) + "… (" + description.length() + " characters)");
  }
}
