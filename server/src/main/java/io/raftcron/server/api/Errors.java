package io.raftcron.server.api;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ResultCode;
import io.raftcron.raft.NotLeaderException;
import io.raftcron.raft.ProposalFailedException;
import io.raftcron.server.leader.NotLeadingException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Maps refusals and failures onto gRPC statuses with messages a user can act on. */
final class Errors {
  private Errors() {}

  static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  /** The result as an error status, or null when the command was accepted. */
  static StatusRuntimeException refusal(CommandResult result) {
    if (result.getCode() == ResultCode.OK) {
      return null;
    }
    return statusOf(result.getCode()).withDescription(result.getMessage()).asRuntimeException();
  }

  static Status statusOf(ResultCode code) {
    return switch (code) {
      case NOT_FOUND -> Status.NOT_FOUND;
      case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
      case VERSION_MISMATCH, WRONG_STATE, STALE_TOKEN, DUPLICATE_SLOT -> Status.FAILED_PRECONDITION;
      case INVALID -> Status.INVALID_ARGUMENT;
      case OK, RESULT_CODE_UNSPECIFIED, UNRECOGNIZED -> Status.INTERNAL;
    };
  }

  static StatusRuntimeException toStatus(Throwable failure) {
    Throwable t = unwrap(failure);
    if (t instanceof StatusRuntimeException sre) {
      return sre;
    }
    if (t instanceof io.grpc.StatusException se) {
      return se.getStatus().asRuntimeException(se.getTrailers());
    }
    if (t instanceof NotLeaderException || t instanceof NotLeadingException) {
      return Status.UNAVAILABLE.withDescription("not the leader: " + t.getMessage()).asRuntimeException();
    }
    if (t instanceof ProposalFailedException) {
      return Status.UNAVAILABLE
          .withDescription("the write may or may not have been committed: " + t.getMessage())
          .asRuntimeException();
    }
    return Status.INTERNAL.withDescription(String.valueOf(t)).withCause(t).asRuntimeException();
  }

  /** The failure inside the future's wrappers. */
  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
