package io.raftcron.server.api;

import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.raft.RaftNode;
import io.raftcron.server.leader.Proposer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The two ways a call is served: writes go through the log on the leader (forwarded there from
 * any other node), reads are served locally after a ReadIndex round confirms this node has
 * applied everything committed before the call (unless the caller accepts a stale read).
 */
public final class Gateway {
  private final RaftNode raft;
  private final Proposer proposer;
  private final Forwarder forwarder;

  public Gateway(RaftNode raft, Proposer proposer, Forwarder forwarder) {
    this.raft = raft;
    this.proposer = proposer;
    this.forwarder = forwarder;
  }

  /** Proposes {@code command} on the leader and answers with {@code onAccepted} of its result. */
  <Q, R> void write(
      MethodDescriptor<Q, R> method,
      Q request,
      StreamObserver<R> out,
      Command.Builder command,
      Function<CommandResult, R> onAccepted) {
    writeOnLeader(method, request, out, () -> command, onAccepted);
  }

  /**
   * As {@link #write}, but the command is built on the leader, just before it is proposed: for
   * commands that carry decisions planned from the leader's state and clock. {@code command} may
   * throw a StatusRuntimeException to refuse the call.
   */
  <Q, R> void writeOnLeader(
      MethodDescriptor<Q, R> method,
      Q request,
      StreamObserver<R> out,
      Supplier<Command.Builder> command,
      Function<CommandResult, R> onAccepted) {
    onLeader(
        method,
        request,
        out,
        () ->
            proposer
                .propose(raft.leaderTerm(), command.get())
                .thenApply(
                    result -> {
                      StatusRuntimeException refused = Errors.refusal(result);
                      if (refused != null) {
                        throw refused;
                      }
                      return onAccepted.apply(result);
                    }));
  }

  /** Runs {@code local} if this node leads, otherwise forwards the call to the leader. */
  <Q, R> void onLeader(
      MethodDescriptor<Q, R> method, Q request, StreamObserver<R> out, Supplier<CompletableFuture<R>> local) {
    CompletableFuture<R> reply;
    if (raft.leaderTerm() > 0) {
      try {
        reply = local.get();
      } catch (RuntimeException e) {
        reply = CompletableFuture.failedFuture(e);
      }
    } else {
      reply = forwarder.toLeader(method, request);
    }
    reply.whenComplete((value, failure) -> answer(out, value, failure));
  }

  <R> void read(boolean stale, StreamObserver<R> out, Supplier<R> read) {
    CompletableFuture<Void> ready = stale ? CompletableFuture.completedFuture(null) : raft.readIndex();
    ready
        .handle(
            (ignored, failure) -> {
              if (failure != null) {
                throw io.grpc.Status.UNAVAILABLE
                    .withDescription("cannot confirm a linearizable read (" + failure.getMessage() + "); retry")
                    .asRuntimeException();
              }
              return read.get();
            })
        .whenComplete((value, failure) -> answer(out, value, failure));
  }

  static <R> void answer(StreamObserver<R> out, R value, Throwable failure) {
    if (failure != null) {
      out.onError(Errors.toStatus(failure));
    } else {
      out.onNext(value);
      out.onCompleted();
    }
  }
}
