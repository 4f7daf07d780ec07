package io.raftcron.sm.golden;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.store.BackupArchive;
import io.raftcron.sm.store.SchedulerStore;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed format-1 golden files with today's code: the format-1 snapshot is upgraded when it opens (as a node's
 * own store, or installed as a snapshot), and with the rest of the format-1 log it reaches the state recorded in format
 * 1, and exactly (same digest) the state today's code reaches from the whole log.
 */
class Format1UpgradeGoldenTest {
  @TempDir Path dir;

  private static Path format1() throws Exception {
    return Path.of(Format1UpgradeGoldenTest.class.getResource("/golden/format-1").toURI());
  }

  private static List<byte[]> log() throws Exception {
    try (InputStream in = Files.newInputStream(format1().resolve(GoldenLog.LOG))) {
      return GoldenLog.readLog(in);
    }
  }

  /** A summary without the lines that name the data format or digest its files. */
  private static String withoutFormatAndDigest(String summary) {
    return summary.lines()
        .filter(line -> !line.startsWith("format ") && !line.startsWith("digest "))
        .collect(Collectors.joining("\n"));
  }

  private Path extractedSnapshot() throws Exception {
    Path extracted = Files.createDirectories(dir.resolve("snapshot"));
    BackupArchive.read(format1().resolve(GoldenLog.SNAPSHOT), Optional.of(extracted));
    return extracted;
  }

  private static void applyTheRest(SchedulerStore store) throws Exception {
    SchedulerStateMachine sm = new SchedulerStateMachine(store, (index, command, result) -> {});
    List<byte[]> entries = log();
    for (int i = (int) store.appliedIndex(); i < entries.size(); i++) {
      sm.apply(i + 1, entries.get(i));
    }
  }

  /** What today's code reaches from the whole format-1 log. */
  private String replayedWhole() throws Exception {
    try (SchedulerStore store = SchedulerStore.open(dir.resolve("replayed"))) {
      applyTheRest(store);
      return GoldenLog.summary(store);
    }
  }

  private void assertReachesTheRecordedState(SchedulerStore upgraded) throws Exception {
    assertThat(upgraded.formatVersion()).isEqualTo(SchedulerStore.FORMAT_VERSION);
    assertThat(upgraded.appliedIndex()).isEqualTo(GoldenLog.SNAPSHOT_INDEX);

    applyTheRest(upgraded);

    String summary = GoldenLog.summary(upgraded);
    assertThat(withoutFormatAndDigest(summary))
        .isEqualTo(withoutFormatAndDigest(Files.readString(format1().resolve(GoldenLog.EXPECTED))));
    assertThat(summary).isEqualTo(replayedWhole());
  }

  @Test
  void theFormat1SnapshotIsUpgradedWhenItOpensAndTheRestOfTheLogReachesTheRecordedState() throws Exception {
    try (SchedulerStore store = SchedulerStore.open(extractedSnapshot())) {
      assertReachesTheRecordedState(store);
    }
  }

  @Test
  void aFormat1SnapshotInstalledOnANodeOfTheCurrentFormatIsUpgraded() throws Exception {
    try (SchedulerStore store = SchedulerStore.open(dir.resolve("node"))) {
      store.replaceWith(extractedSnapshot());

      assertReachesTheRecordedState(store);
    }
  }
}
