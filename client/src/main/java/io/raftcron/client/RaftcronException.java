package io.raftcron.client;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;

/** A call the cluster refused or could not answer; the message is the server's description. */
public class RaftcronException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final Status.Code code;

  public RaftcronException(Status.Code code, String message, Throwable cause) {
    super(message, cause);
    this.code = code;
  }

  static RaftcronException from(StatusRuntimeException e) {
    Status status = e.getStatus();
    String message = status.getDescription() != null ? status.getDescription() : status.getCode().name();
    return new RaftcronException(status.getCode(), message, e);
  }

  public Status.Code code() {
    return code;
  }
}
