package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import java.util.concurrent.CompletableFuture;

/**
 * Where a leader loop's commands go: the Raft log ({@link Proposer}), or in a leader test the
 * state machine's applier directly. Completes with the applied command's result.
 */
@FunctionalInterface
interface CommandLog {
  CompletableFuture<CommandResult> propose(long term, Command.Builder command);

  /** As {@link #propose(long, Command.Builder)}, for a command serialized ahead. */
  default CompletableFuture<CommandResult> propose(long term, PreparedCommand command) {
    return propose(term, command.command().toBuilder());
  }
}
