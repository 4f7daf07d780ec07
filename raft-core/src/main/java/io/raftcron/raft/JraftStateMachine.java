package io.raftcron.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.Iterator;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.core.StateMachineAdapter;
import com.alipay.sofa.jraft.entity.LocalFileMetaOutter.LocalFileMeta;
import com.alipay.sofa.jraft.entity.RaftOutter.SnapshotMeta;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.error.RaftException;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotReader;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bridges jraft's state machine callbacks to a {@link ReplicatedStateMachine}. Every callback runs on jraft's single
 * FSM thread, so none of them may block: leadership events go to {@code events}, snapshot file work to
 * {@code snapshotWork}.
 */
final class JraftStateMachine extends StateMachineAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(JraftStateMachine.class);

  /** Sub-directory of a jraft snapshot that holds the application's files, next to jraft's own meta file. */
  static final String SM_DIR = "sm";

  private final ReplicatedStateMachine sm;
  private final LeadershipListener listener;
  private final Executor events;
  private final Executor snapshotWork;
  private final AtomicBoolean failed = new AtomicBoolean();
  /** Term of the leadership announced by the last onLeaderStart, 0 when not leading. Written on the FSM thread only. */
  private volatile long leaderTerm;
  /** The last entry onApply went past (applied now or before a restart). */
  private volatile long lastEntryIndex;
  /** The newest snapshot's last entry, saved or loaded by this node (0 before the first). */
  private volatile long snapshotIndex;
  private final long snapshotLogEntries;
  private final Runnable takeSnapshot;
  private final AtomicBoolean snapshotAsked = new AtomicBoolean();

  /**
   * @param snapshotLogEntries once this many entries were applied since the newest snapshot, {@code takeSnapshot}
   *     runs on {@code events} (and {@link #snapshotDone} must follow it); 0 or less: never
   */
  JraftStateMachine(ReplicatedStateMachine sm, LeadershipListener listener, Executor events, Executor snapshotWork,
      long snapshotLogEntries, Runnable takeSnapshot) {
    this.sm = sm;
    this.listener = listener;
    this.events = events;
    this.snapshotWork = snapshotWork;
    this.snapshotLogEntries = snapshotLogEntries;
    this.takeSnapshot = takeSnapshot;
  }

  /** The snapshot {@code takeSnapshot} asked for is saved or failed: another may be asked for. */
  void snapshotDone() {
    snapshotAsked.set(false);
  }

  long leaderTerm() {
    return leaderTerm;
  }

  long lastEntryIndex() {
    return lastEntryIndex;
  }

  @Override
  public void onApply(Iterator it) {
    while (it.hasNext()) {
      long index = it.getIndex();
      Closure done = it.done();
      Object result = null;
      // At or below appliedIndex the entry was applied before a restart and its effects are durable: applying it
      // again would not be idempotent.
      if (index > sm.appliedIndex()) {
        try {
          result = sm.apply(index, copy(it.getData()));
        } catch (Throwable t) {
          // Never skip an entry: roll this one back and stop; jraft halts the node and fails the rest of the closures.
          LOG.error("apply failed at index {}; the node stops applying", index, t);
          it.setErrorAndRollback(1, new Status(RaftError.ESTATEMACHINE, "apply failed at index %d: %s", index, t));
          fatal(t);
          return;
        }
      }
      if (done instanceof RaftNode.ProposalClosure proposal) {
        proposal.succeed(result);
      } else if (done != null) {
        done.run(Status.OK());
      }
      lastEntryIndex = index;
      it.next();
    }
    if (snapshotLogEntries > 0 && lastEntryIndex - snapshotIndex >= snapshotLogEntries
        && snapshotAsked.compareAndSet(false, true)) {
      events.execute(takeSnapshot);
    }
  }

  private static byte[] copy(ByteBuffer data) {
    if (data == null) {
      return new byte[0];
    }
    byte[] bytes = new byte[data.remaining()];
    data.duplicate().get(bytes); // the buffer may be direct or a slice: never rely on array()
    return bytes;
  }

  @Override
  public void onLeaderStart(long term) {
    // jraft calls this a second time in the same term when a leadership transfer times out.
    if (leaderTerm == term) {
      return;
    }
    leaderTerm = term;
    deliver(() -> listener.onLeaderStart(term));
  }

  @Override
  public void onLeaderStop(Status status) {
    long term = leaderTerm;
    // jraft also calls this when a leader steps down before its first entry committed; onLeaderStart never ran then.
    if (term == 0) {
      return;
    }
    leaderTerm = 0;
    LOG.info("leadership of term {} ends: {}", term, status);
    deliver(() -> listener.onLeaderStop(term));
  }

  @Override
  public void onError(RaftException e) {
    LOG.error("raft node failed; it stops applying until restarted: {}", e.getStatus());
    fatal(e);
  }

  private void fatal(Throwable cause) {
    // An apply failure is reported with its own cause; jraft's onError for it follows and is not repeated.
    if (failed.compareAndSet(false, true)) {
      deliver(() -> listener.onFatalError(cause));
    }
  }

  private void deliver(Runnable event) {
    events.execute(() -> {
      try {
        event.run();
      } catch (Throwable t) {
        LOG.error("leadership listener failed", t);
      }
    });
  }

  @Override
  public void onSnapshotSave(SnapshotWriter writer, Closure done) {
    Path dir = Path.of(writer.getPath(), SM_DIR);
    List<String> files;
    try {
      Files.createDirectories(dir);
      files = sm.saveSnapshot(dir); // on the FSM thread, so the state cannot move while it is copied
      snapshotIndex = lastEntryIndex;
    } catch (Throwable t) {
      LOG.error("saveSnapshot failed", t);
      done.run(new Status(RaftError.EIO, "saveSnapshot failed: %s", t));
      return;
    }
    // Checksums and fsync cost disk time the FSM thread need not wait for. done must run in every case, or
    // Node.join() hangs on the unfinished snapshot (jraft #1178).
    try {
      snapshotWork.execute(() -> done.run(register(writer, dir, files)));
    } catch (RejectedExecutionException e) {
      done.run(new Status(RaftError.EIO, "snapshot executor is shut down"));
    }
  }

  /** Registers the files with their checksums and fsyncs their folders; also used to seed a snapshot. */
  static Status register(SnapshotWriter writer, Path dir, List<String> files) {
    try {
      Set<Path> dirs = new LinkedHashSet<>();
      for (String name : files) {
        Path file = dir.resolve(name);
        // The checksum lets a follower verify each file of an installed snapshot before it loads it.
        LocalFileMeta meta = LocalFileMeta.newBuilder().setChecksum(checksum(file, true)).build();
        if (!writer.addFile(SM_DIR + "/" + name, meta)) {
          return new Status(RaftError.EIO, "snapshot writer refused file %s", name);
        }
        for (Path d = file.getParent(); d.startsWith(dir); d = d.getParent()) {
          dirs.add(d);
        }
      }
      // jraft fsyncs only its own meta file; without this a crash can leave a snapshot with missing files (#955).
      for (Path d : dirs) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
          ch.force(true);
        }
      }
      return Status.OK();
    } catch (Throwable t) {
      LOG.error("registering snapshot files failed", t);
      return new Status(RaftError.EIO, "registering snapshot files failed: %s", t);
    }
  }

  @Override
  public boolean onSnapshotLoad(SnapshotReader reader) {
    // A leader's state is the newest there is; installing a snapshot over it would go backwards (rheakv does the same).
    if (leaderTerm > 0) {
      LOG.warn("a leader does not load snapshots");
      return false;
    }
    try {
      SnapshotMeta meta = reader.load();
      if (meta == null) {
        LOG.error("snapshot meta at {} is unreadable", reader.getPath());
        return false;
      }
      // A restarting node's own state is usually at or past its last snapshot, and then keeps it: the files
      // are not read, so reading them all for their checksums (hundreds of MiB at a million jobs) is skipped.
      boolean filesUsed = sm.appliedIndex() < meta.getLastIncludedIndex();
      for (String name : filesUsed ? reader.listFiles() : Set.<String>of()) {
        if (reader.getFileMeta(name) instanceof LocalFileMeta fileMeta && fileMeta.hasChecksum()) {
          String actual = checksum(Path.of(reader.getPath(), name), false);
          if (!actual.equals(fileMeta.getChecksum())) {
            LOG.error("snapshot file {} is corrupt: checksum {} expected {}", name, actual, fileMeta.getChecksum());
            return false;
          }
        }
      }
      Path dir = Path.of(reader.getPath(), SM_DIR);
      Files.createDirectories(dir); // the snapshot of an empty state has no files
      sm.loadSnapshot(dir, meta.getLastIncludedIndex());
      snapshotIndex = meta.getLastIncludedIndex();
      return true;
    } catch (Throwable t) {
      LOG.error("loading snapshot {} failed", reader.getPath(), t); // jraft halts the node and calls onError
      return false;
    }
  }

  /** CRC32 of the file in hex; with {@code fsync} the file is also forced to disk. */
  private static String checksum(Path file, boolean fsync) throws IOException {
    CRC32 crc = new CRC32();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
      while (ch.read(buf) >= 0) {
        buf.flip();
        crc.update(buf);
        buf.clear();
      }
      if (fsync) {
        ch.force(true);
      }
    }
    return Long.toHexString(crc.getValue());
  }
}
