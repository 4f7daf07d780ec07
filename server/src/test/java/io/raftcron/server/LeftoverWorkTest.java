package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a node deletes from its data folder at start: the work of a backup or restore it was killed in. */
class LeftoverWorkTest {
  @TempDir Path dataDir;

  @Test
  void aKilledBackupsCheckpointAndARestoresExtractAreDeletedAndTheNodesDataKept() throws IOException {
    Path backup = Files.createDirectories(dataDir.resolve("tmp/backup-123/checkpoint"));
    Files.writeString(backup.resolve("000042.sst"), "pinned");
    Path restore = Files.createDirectories(dataDir.resolve("restore-456/checkpoint"));
    Path state = Files.writeString(Files.createDirectories(dataDir.resolve("state")).resolve("CURRENT"), "MANIFEST-1");
    Path raft = Files.writeString(Files.createDirectories(dataDir.resolve("raft/log")).resolve("LOG"), "x");

    RaftcronServer.deleteLeftoverWork(dataDir);

    assertThat(dataDir.resolve("tmp")).doesNotExist();
    assertThat(restore.getParent()).doesNotExist();
    assertThat(state).exists();
    assertThat(raft).exists();
  }

  @Test
  void aDataFolderNotMadeYetIsLeftAlone() throws IOException {
    RaftcronServer.deleteLeftoverWork(dataDir.resolve("new"));

    assertThat(dataDir.resolve("new")).doesNotExist();
  }
}
