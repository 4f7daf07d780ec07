package io.raftcron.sm.store;

import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.registerNode;
import static io.raftcron.sm.TestCommands.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftcron.proto.BackupHeader;
import io.raftcron.sm.AppliedStoreTest;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The backup file round trip, its refusals, and the store's data-format version. */
class BackupArchiveTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @BeforeEach
  void applyHistory() {
    apply(create(T0, spec("a", "* * * * * *")));
    apply(fire(T0.plusSeconds(2), "a", T0.plusSeconds(1), T0.plusSeconds(2)));
    apply(registerNode(T0, "n1"));
  }

  private Path backup() throws Exception {
    Path file = dir.resolve("state.backup");
    Files.createDirectories(dir.resolve("work"));
    try (OutputStream out = Files.newOutputStream(file)) {
      BackupHeader header = BackupArchive.write(store, dir.resolve("work"), "n1", out);
      assertThat(header.getAppliedIndex()).isEqualTo(3);
      assertThat(header.getStoreFormatVersion()).isEqualTo(SchedulerStore.FORMAT_VERSION);
    }
    return file;
  }

  @Test
  void aRestoredBackupHoldsTheSameStateAtTheSameIndex() throws Exception {
    Path file = backup();
    Path extracted = Files.createDirectories(dir.resolve("restored"));

    BackupHeader header = BackupArchive.read(file, Optional.of(extracted));

    assertThat(header.getAppliedIndex()).isEqualTo(3);
    assertThat(header.getTakenBy()).isEqualTo("n1");
    try (SchedulerStore restored = SchedulerStore.open(extracted)) {
      assertThat(restored.appliedIndex()).isEqualTo(3);
      assertThat(restored.contentDigest()).isEqualTo(store.contentDigest());
      assertThat(restored.runs("a", 10)).hasSize(2);
    }
  }

  @Test
  void forgettingNodesChangesOnlyTheRegistry() throws Exception {
    Path extracted = Files.createDirectories(dir.resolve("restored"));
    BackupArchive.read(backup(), Optional.of(extracted));
    try (SchedulerStore restored = SchedulerStore.open(extracted)) {
      restored.forgetNodes();
      assertThat(restored.nodes()).isEmpty();
      assertThat(restored.jobs()).isEqualTo(store.jobs());
      assertThat(restored.contentDigest()).isNotEqualTo(store.contentDigest());
    }
  }

  @Test
  void aCorruptedByteIsRefusedByTheChecksum() throws Exception {
    Path file = backup();
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(file, bytes);

    assertThatThrownBy(() -> BackupArchive.read(file, Optional.empty()))
        .isInstanceOf(BackupArchive.InvalidBackupException.class)
        .hasMessageContaining("corrupt");
  }

  @Test
  void aTruncatedFileIsRefused() throws Exception {
    Path file = backup();
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 100));

    assertThatThrownBy(() -> BackupArchive.read(file, Optional.empty()))
        .isInstanceOf(BackupArchive.InvalidBackupException.class);
  }

  @Test
  void aFileThatIsNotABackupIsRefused() throws Exception {
    Path file = dir.resolve("notes.txt");
    Files.writeString(file, "these are not the bytes you are looking for, not at all");

    assertThatThrownBy(() -> BackupArchive.read(file, Optional.empty()))
        .isInstanceOf(BackupArchive.InvalidBackupException.class)
        .hasMessageContaining("not a raftcron backup");
  }

  @Test
  void aNewStoreRecordsTheCurrentFormat() {
    assertThat(store.formatVersion()).isEqualTo(SchedulerStore.FORMAT_VERSION);
  }

  @Test
  void aStoreInANewerFormatIsRefusedWithAClearError() throws Exception {
    store.close();
    writeFormatVersion(dir.resolve("db"), SchedulerStore.FORMAT_VERSION + 1);

    assertThatThrownBy(() -> SchedulerStore.open(dir.resolve("db")))
        .isInstanceOf(StoreException.class)
        .hasMessageContaining("has data format " + (SchedulerStore.FORMAT_VERSION + 1))
        .hasMessageContaining("newer than the format " + SchedulerStore.FORMAT_VERSION);
    store = SchedulerStore.open(dir.resolve("other")); // for close()
  }

  /** What a future build would write. */
  private static void writeFormatVersion(Path db, long version) throws Exception {
    RawStore.write(db, store -> store.put(Family.META, Keys.FORMAT_VERSION, Keys.longBytes(version)));
  }
}
