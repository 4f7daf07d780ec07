package io.raftcron.server;

import io.raftcron.proto.BackupHeader;
import io.raftcron.raft.SnapshotSeeder;
import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.store.BackupArchive;
import io.raftcron.sm.store.SchedulerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code server --restore FILE}: makes a node of a NEW cluster start from a backup. The backup's store (without the
 * old cluster's node registry) becomes a raft snapshot at the backup's applied index whose configuration is the new
 * cluster's {@code --peers}; jraft loads it at start, and the new log continues after that index. Every node of the
 * new cluster restores the same file with the same peers, so they all start from the same committed state. A data
 * dir that already holds data is refused: restoring never overwrites a node.
 */
final class BackupRestore {
  /** The extract's folder in the data folder, deleted when done (or at the next start, after a kill). */
  static final String WORK_PREFIX = "restore-";
  private static final Logger log = LoggerFactory.getLogger(BackupRestore.class);

  private BackupRestore() {}

  static BackupHeader seed(Path backup, ServerConfig config) throws IOException {
    Path dataDir = config.dataDir();
    for (Path held : List.of(dataDir.resolve("state"), dataDir.resolve("raft").resolve("log"),
        dataDir.resolve("raft").resolve("meta"), dataDir.resolve("raft").resolve("snapshot"))) {
      if (hasFiles(held)) {
        throw new IllegalArgumentException("--restore refused: " + dataDir + " already holds data (" + held
            + "); a backup is restored only into an empty --data-dir of a new cluster (a node already seeded"
            + " from it, whose start failed after that, starts again without --restore)");
      }
    }
    if (!Files.isRegularFile(backup)) {
      throw new IllegalArgumentException("--restore " + backup + ": no such file");
    }
    Files.createDirectories(dataDir);
    Path work = Files.createTempDirectory(dataDir, WORK_PREFIX);
    try {
      Path checkpoint = Files.createDirectories(work.resolve("checkpoint"));
      BackupHeader header;
      try {
        header = BackupArchive.read(backup, Optional.of(checkpoint));
      } catch (BackupArchive.InvalidBackupException e) {
        throw new IllegalArgumentException("--restore refused: " + e.getMessage(), e);
      }
      if (header.getAppliedIndex() < 1) {
        throw new IllegalArgumentException("--restore refused: " + backup + " holds an empty state (applied index 0);"
            + " start the new cluster without --restore");
      }
      try (SchedulerStore restored = SchedulerStore.open(checkpoint)) {
        if (restored.appliedIndex() != header.getAppliedIndex()) {
          throw new IllegalArgumentException("--restore refused: " + backup + " is inconsistent: header says applied"
              + " index " + header.getAppliedIndex() + ", its state says " + restored.appliedIndex());
        }
        restored.forgetNodes();
        SchedulerStateMachine stateMachine = new SchedulerStateMachine(restored, (index, command, result) -> {});
        SnapshotSeeder.seed(dataDir.resolve("raft"), header.getAppliedIndex(), config.peers(),
            stateMachine::saveSnapshot);
      }
      log.info("node {} restored from {} (taken by {} at applied index {}) for peers {}", config.nodeId(), backup,
          header.getTakenBy(), header.getAppliedIndex(), config.peers());
      return header;
    } finally {
      FileUtils.deleteDirectory(work.toFile());
    }
  }

  private static boolean hasFiles(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.anyMatch(Files::isRegularFile);
    }
  }

}
