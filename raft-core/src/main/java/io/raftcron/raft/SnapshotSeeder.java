package io.raftcron.raft;

import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.entity.RaftOutter.SnapshotMeta;
import com.alipay.sofa.jraft.option.RaftOptions;
import com.alipay.sofa.jraft.storage.snapshot.SnapshotWriter;
import com.alipay.sofa.jraft.storage.snapshot.local.LocalSnapshotStorage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes a jraft snapshot into the storage of a node that has never run, so that the node starts from it: the way a
 * new cluster is restored from a backup. The snapshot sits at the backup's applied index, so the new cluster's log
 * continues after it (entries at or below it would be skipped as applied, and fencing tokens, which are log indexes,
 * keep growing). Every node of the new cluster seeds the same snapshot with the same peers.
 */
public final class SnapshotSeeder {

  /** Writes the application's files of a snapshot into an empty directory; returns their relative paths. */
  @FunctionalInterface
  public interface SnapshotContent {
    List<String> write(Path dir) throws IOException;
  }

  /** Term recorded for the seeded snapshot: the new cluster's first leader is elected in term 1 after it. */
  static final long SEEDED_TERM = 1;

  private SnapshotSeeder() {}

  /**
   * Seeds {@code raftDataDir} (the {@link RaftNodeConfig#dataDir()} of the node to start) with a snapshot at
   * {@code lastIncludedIndex} whose configuration is {@code peers}. Refuses a directory that holds raft data.
   */
  public static void seed(Path raftDataDir, long lastIncludedIndex, List<String> peers, SnapshotContent content)
      throws IOException {
    if (lastIncludedIndex < 1) {
      throw new IllegalArgumentException("a seeded snapshot needs an index of at least 1: " + lastIncludedIndex);
    }
    if (peers.isEmpty()) {
      throw new IllegalArgumentException("a seeded snapshot needs the new cluster's peers");
    }
    peers.forEach(RaftNode::peer);
    if (hasFiles(raftDataDir.resolve("log")) || hasFiles(raftDataDir.resolve("meta"))
        || hasFiles(RaftNode.snapshotDir(raftDataDir))) {
      throw new IllegalStateException(raftDataDir + " already holds raft data; a snapshot is seeded only before the"
          + " node's first start");
    }
    LocalSnapshotStorage storage =
        new LocalSnapshotStorage(RaftNode.snapshotDir(raftDataDir).toString(), null, new RaftOptions());
    if (!storage.init(null)) {
      throw new IOException("cannot initialise snapshot storage in " + raftDataDir);
    }
    SnapshotWriter writer = storage.create();
    if (writer == null) {
      throw new IOException("cannot create a snapshot writer in " + raftDataDir);
    }
    try {
      Path dir = Path.of(writer.getPath(), JraftStateMachine.SM_DIR);
      Files.createDirectories(dir);
      Status registered = JraftStateMachine.register(writer, dir, content.write(dir));
      if (!registered.isOk()) {
        throw new IOException("cannot register the snapshot files: " + registered);
      }
      SnapshotMeta meta = SnapshotMeta.newBuilder()
          .setLastIncludedIndex(lastIncludedIndex)
          .setLastIncludedTerm(SEEDED_TERM)
          .addAllPeers(peers)
          .build();
      if (!writer.saveMeta(meta)) {
        throw new IOException("cannot save the snapshot meta in " + writer.getPath());
      }
    } catch (IOException | RuntimeException e) {
      // A half-written seed would make the folder hold "raft data": the same restore, tried again, is refused.
      deleteTree(Path.of(writer.getPath()));
      throw e;
    }
    writer.close(); // syncs the meta and renames the temporary folder to snapshot_<index>
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
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
