package io.raftcron.server;

import io.raftcron.raft.ReplicatedStateMachine;
import io.raftcron.sm.SchedulerStateMachine;
import java.nio.file.Path;
import java.util.List;

/** Hands the consensus layer's bytes to the scheduler state machine. */
final class StateMachineBridge implements ReplicatedStateMachine {
  private final SchedulerStateMachine stateMachine;

  StateMachineBridge(SchedulerStateMachine stateMachine) {
    this.stateMachine = stateMachine;
  }

  @Override
  public long appliedIndex() {
    return stateMachine.appliedIndex();
  }

  @Override
  public Object apply(long index, byte[] data) {
    return stateMachine.apply(index, data);
  }

  @Override
  public List<String> saveSnapshot(Path dir) {
    return stateMachine.saveSnapshot(dir);
  }

  @Override
  public void loadSnapshot(Path dir, long lastIncludedIndex) {
    stateMachine.loadSnapshot(dir, lastIncludedIndex);
  }
}
