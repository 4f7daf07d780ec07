package io.raftcron.raft;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** What raft-core needs from the application. All methods are called on jraft's single FSM thread. */
public interface ReplicatedStateMachine {

  /**
   * Index of the last entry whose effects are durable in the application's store (0 if none). Entries at or below it
   * are skipped on replay after a restart (they were applied before).
   */
  long appliedIndex();

  /**
   * Applies one committed entry; the result goes to the proposer's future on the leader. Deterministic. Throwing means
   * the entry cannot be applied: the node must stop (never skip an entry).
   */
  Object apply(long index, byte[] data);

  /**
   * Writes a consistent copy of the state into {@code dir} (an empty directory); returns the relative paths of the
   * files written (may include sub-directories).
   */
  List<String> saveSnapshot(Path dir) throws IOException;

  /**
   * Installs the snapshot in {@code dir} taken at {@code lastIncludedIndex}. If the local state is already at or past
   * that index ({@code appliedIndex() >= lastIncludedIndex}) the application may keep its state.
   */
  void loadSnapshot(Path dir, long lastIncludedIndex) throws IOException;
}
