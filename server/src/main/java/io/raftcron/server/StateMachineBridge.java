package io.raftcron.server;

import io.raftcron.raft.ReplicatedStateMachine;
import io.raftcron.sm.SchedulerStateMachine;
import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Hands the consensus layer's bytes to the scheduler state machine. */
final class StateMachineBridge implements ReplicatedStateMachine {
  private static final Logger log = LoggerFactory.getLogger(StateMachineBridge.class);
  private final SchedulerStateMachine stateMachine;
  private final LongConsumer applyNanos;

  StateMachineBridge(SchedulerStateMachine stateMachine, LongConsumer applyNanos) {
    this.stateMachine = stateMachine;
    this.applyNanos = applyNanos;
  }

  @Override
  public long appliedIndex() {
    return stateMachine.appliedIndex();
  }

  @Override
  public Object apply(long index, byte[] data) {
    long start = System.nanoTime();
    Object result = stateMachine.apply(index, data);
    applyNanos.accept(System.nanoTime() - start);
    return result;
  }

  @Override
  public List<String> saveSnapshot(Path dir) {
    return stateMachine.saveSnapshot(dir);
  }

  @Override
  public void loadSnapshot(Path dir, long lastIncludedIndex) {
    long before = stateMachine.appliedIndex();
    stateMachine.loadSnapshot(dir, lastIncludedIndex);
    if (stateMachine.appliedIndex() != before) {
      log.info("installed the snapshot at index {}: the state was at index {}", lastIncludedIndex, before);
    }
  }
}
