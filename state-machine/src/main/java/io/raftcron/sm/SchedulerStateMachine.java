package io.raftcron.sm;

import com.google.protobuf.InvalidProtocolBufferException;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.sm.applier.Applier;
import io.raftcron.sm.applier.UnappliableCommandException;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.util.List;

/**
 * The replicated scheduler state as the consensus layer sees it: committed bytes in, results
 * out, snapshots as RocksDB checkpoints. Restart policy: the store keeps its applied index, so
 * entries at or below it are not applied again; a snapshot replaces the store only when it is
 * ahead of it.
 */
public final class SchedulerStateMachine {
  /** Told about every applied command, on the applying thread: must not block. */
  public interface ApplyListener {
    void onApplied(long index, Command command, CommandResult result);
  }

  private static final String SNAPSHOT_DIR = "state";

  private final SchedulerStore store;
  private final Applier applier;
  private final ApplyListener listener;

  public SchedulerStateMachine(SchedulerStore store, ApplyListener listener) {
    this(store, Safeguards.ENFORCED, listener);
  }

  public SchedulerStateMachine(SchedulerStore store, Safeguards safeguards, ApplyListener listener) {
    this.store = store;
    this.applier = new Applier(store, safeguards);
    this.listener = listener;
  }

  public long appliedIndex() {
    return store.appliedIndex();
  }

  public CommandResult apply(long index, byte[] data) {
    Command command = decode(index, data);
    CommandResult result = applier.apply(index, command);
    listener.onApplied(index, command, result);
    return result;
  }

  public static Command decode(long index, byte[] data) {
    try {
      return Command.parseFrom(data);
    } catch (InvalidProtocolBufferException e) {
      throw new UnappliableCommandException("entry " + index + " is not a command", e);
    }
  }

  /** Checkpoints the store under {@code dir}; returns the files, relative to {@code dir}. */
  public List<String> saveSnapshot(Path dir) {
    return store.checkpoint(dir.resolve(SNAPSHOT_DIR)).stream()
        .map(f -> SNAPSHOT_DIR + "/" + f)
        .toList();
  }

  public void loadSnapshot(Path dir, long lastIncludedIndex) {
    if (store.appliedIndex() >= lastIncludedIndex) {
      return; // our own state is at or past the snapshot: the log replays the rest
    }
    store.replaceWith(dir.resolve(SNAPSHOT_DIR));
  }

  public SchedulerStore store() {
    return store;
  }
}
