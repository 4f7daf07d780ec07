package io.raftcron.sm.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.code_intelligence.jazzer.mutation.annotation.NotNull;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.ResultCode;
import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.TestCommands;
import io.raftcron.sm.applier.UnappliableCommandException;
import io.raftcron.sm.store.SchedulerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Committed entries from a broken or hostile leader: random bytes, and random (structured)
 * commands, applied to a real store that already holds a job with a leased run. Each entry either
 * applies (accepted or refused, the applied index moving by one) or takes the defined fatal path,
 * UnappliableCommandException, with the store untouched. Any other exception is a crash.
 */
class CommandFuzzTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static Path dir;
  private static SchedulerStore store;
  private static SchedulerStateMachine machine;
  private static long index;

  @BeforeAll
  static void openStoreWithAJobAndALeasedRun() throws IOException {
    dir = Files.createTempDirectory("raftcron-fuzz");
    store = SchedulerStore.open(dir.resolve("db"));
    machine = new SchedulerStateMachine(store, (i, c, r) -> {});
    Instant slot = T0.plusSeconds(1);
    for (Command setup : List.of(
        TestCommands.create(T0, TestCommands.spec("tick", "* * * * * *")),
        TestCommands.fire(T0.plusSeconds(2), "tick", slot),
        TestCommands.grant(T0.plusSeconds(3), io.raftcron.sm.RunIds.of("tick", slot), "w1", T0.plusSeconds(33)))) {
      assertThat(machine.apply(++index, setup.toByteArray()).getCode()).isEqualTo(ResultCode.OK);
    }
  }

  @AfterAll
  static void closeStore() throws IOException {
    store.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @FuzzTest(maxDuration = "30s")
  void randomBytesApplyOrStopTheNodeWithoutAPartialWrite(byte[] entry) {
    applyOrStop(entry);
  }

  @FuzzTest(maxDuration = "30s")
  void randomCommandsApplyOrStopTheNodeWithoutAPartialWrite(@NotNull Command command) {
    applyOrStop(command.toByteArray());
  }

  private static void applyOrStop(byte[] entry) {
    long before = store.appliedIndex();
    List<Job> jobsBefore = store.jobs();
    long next = ++index;
    try {
      CommandResult result = machine.apply(next, entry);
      assertThat(result.getCode()).isNotEqualTo(ResultCode.RESULT_CODE_UNSPECIFIED);
      assertThat(store.appliedIndex()).isEqualTo(next);
    } catch (UnappliableCommandException stop) {
      index--; // the node stops here: this entry never moves the store
      assertThat(store.appliedIndex()).isEqualTo(before);
      assertThat(store.jobs()).isEqualTo(jobsBefore);
    }
  }

  @org.junit.jupiter.api.Test
  void anEntryThatIsNotACommandStopsTheNodeAndWritesNothing() {
    long before = store.appliedIndex();
    assertThatThrownBy(() -> machine.apply(before + 1, new byte[] {(byte) 0xff, (byte) 0xff}))
        .isInstanceOf(UnappliableCommandException.class);
    assertThat(store.appliedIndex()).isEqualTo(before);
  }
}
