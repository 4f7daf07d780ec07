package io.raftcron.sm.golden;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.BackupHeader;
import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.store.BackupArchive;
import io.raftcron.sm.store.SchedulerStore;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the committed golden log and snapshot of the current data format (see {@link GoldenLog}, which also says
 * how to regenerate them) with today's code: both the whole log and the snapshot plus the rest of the log must reach
 * the state recorded when they were written. A change that makes today's code read old data differently fails here.
 */
class GoldenLogTest {
  @TempDir Path dir;

  private static Path golden() throws URISyntaxException {
    var url = GoldenLogTest.class.getResource("/golden/format-" + SchedulerStore.FORMAT_VERSION);
    assertThat(url).as("golden files for data format %s (generate them, see GoldenLog)",
        SchedulerStore.FORMAT_VERSION).isNotNull();
    return Path.of(url.toURI());
  }

  private static List<byte[]> log() throws Exception {
    try (InputStream in = Files.newInputStream(golden().resolve(GoldenLog.LOG))) {
      return GoldenLog.readLog(in);
    }
  }

  private static String expected() throws Exception {
    return Files.readString(golden().resolve(GoldenLog.EXPECTED));
  }

  private static void apply(SchedulerStore store, List<byte[]> entries) {
    SchedulerStateMachine sm = new SchedulerStateMachine(store, (index, command, result) -> {});
    for (int i = 0; i < entries.size(); i++) {
      if (i + 1 > store.appliedIndex()) {
        sm.apply(i + 1, entries.get(i));
      }
    }
  }

  @Test
  void replayingTheWholeCommittedLogReachesTheRecordedState() throws Exception {
    try (SchedulerStore store = SchedulerStore.open(dir.resolve("store"))) {
      apply(store, log());

      assertThat(GoldenLog.summary(store)).isEqualTo(expected());
    }
  }

  @Test
  void theSnapshotPlusTheRestOfTheLogReachesTheSameState() throws Exception {
    Path extracted = Files.createDirectories(dir.resolve("snapshot"));
    BackupHeader header = BackupArchive.read(golden().resolve(GoldenLog.SNAPSHOT), Optional.of(extracted));
    assertThat(header.getAppliedIndex()).isEqualTo(GoldenLog.SNAPSHOT_INDEX);

    try (SchedulerStore store = SchedulerStore.open(extracted)) {
      assertThat(store.appliedIndex()).isEqualTo(GoldenLog.SNAPSHOT_INDEX);
      apply(store, log());

      assertThat(GoldenLog.summary(store)).isEqualTo(expected());
    }
  }

  @Test
  void theGoldenLogIsTheOneTheGeneratorWrites() throws Exception {
    // Guards the generator against drifting from the committed files without anyone regenerating them.
    assertThat(log()).hasSameSizeAs(GoldenLog.commands());
    for (int i = 0; i < log().size(); i++) {
      assertThat(log().get(i)).as("entry %d", i + 1).isEqualTo(GoldenLog.commands().get(i).toByteArray());
    }
  }
}
