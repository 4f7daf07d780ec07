package io.raftcron.server.leader;

import io.raftcron.proto.Command;

/**
 * Told, on the leader that proposed it, when a command has committed: a quorum holds it, so the
 * decision it carries can no longer be lost or made twice, though this node may not have applied
 * it yet. Runs on jraft's FSM thread: it must be quick and must not block.
 */
@FunctionalInterface
public interface CommitObserver {
  CommitObserver NONE = command -> {};

  void committed(Command command);
}
