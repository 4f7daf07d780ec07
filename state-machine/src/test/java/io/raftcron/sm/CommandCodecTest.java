package io.raftcron.sm;

import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.spec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ResultCode;
import io.raftcron.sm.applier.UnappliableCommandException;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Log entries as bytes: decoding, what happens to bytes that are not a command, the applied index. */
class CommandCodecTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;

  private record Applied(long index, Command command, CommandResult result) {}

  @Test
  void aCommandRoundTripsThroughItsBytes() {
    Command command = fire(T0.plusSeconds(11), "tens", T0.plusSeconds(10));

    assertThat(SchedulerStateMachine.decode(7, command.toByteArray())).isEqualTo(command);
  }

  @Test
  void bytesThatAreNotACommandStopTheNodeInsteadOfBeingSkipped() {
    byte[] truncatedVarint = {(byte) 0xff, (byte) 0xff, (byte) 0xff};

    assertThatThrownBy(() -> SchedulerStateMachine.decode(7, truncatedVarint))
        .isInstanceOf(UnappliableCommandException.class)
        .hasMessageContaining("entry 7");
  }

  @Test
  void anUndecodableEntryIsNotRecordedAsApplied() {
    try (SchedulerStore store = SchedulerStore.open(dir.resolve("db"))) {
      SchedulerStateMachine sm = new SchedulerStateMachine(store, (i, c, r) -> {});
      sm.apply(1, create(T0, spec("tens", "*/10 * * * * *")).toByteArray());

      assertThatThrownBy(() -> sm.apply(2, new byte[] {(byte) 0xff, (byte) 0xff}))
          .isInstanceOf(UnappliableCommandException.class);
      assertThat(sm.appliedIndex()).isEqualTo(1);
    }
  }

  @Test
  void anOperationFromANewerVersionStopsTheNode() {
    // Field 99, varint 1: parses (as an unknown field) into a command with no operation set.
    byte[] unknownOperation = {(byte) 0x98, 0x06, 0x01};
    try (SchedulerStore store = SchedulerStore.open(dir.resolve("db"))) {
      SchedulerStateMachine sm = new SchedulerStateMachine(store, (i, c, r) -> {});

      assertThatThrownBy(() -> sm.apply(1, unknownOperation))
          .isInstanceOf(UnappliableCommandException.class);
      assertThat(sm.appliedIndex()).isZero();
    }
  }

  @Test
  void theListenerIsToldAboutEveryAppliedCommandWithItsResult() {
    List<Applied> seen = new ArrayList<>();
    Command first = create(T0, spec("tens", "*/10 * * * * *"));
    Command again = create(T0, spec("tens", "*/10 * * * * *"));
    try (SchedulerStore store = SchedulerStore.open(dir.resolve("db"))) {
      SchedulerStateMachine sm =
          new SchedulerStateMachine(store, (i, c, r) -> seen.add(new Applied(i, c, r)));

      CommandResult ok = sm.apply(1, first.toByteArray());
      CommandResult refused = sm.apply(2, again.toByteArray());

      assertThat(seen)
          .containsExactly(new Applied(1, first, ok), new Applied(2, again, refused));
      assertThat(refused.getCode()).isEqualTo(ResultCode.ALREADY_EXISTS);
    }
  }

  @Test
  void aRefusedCommandStillAdvancesTheAppliedIndex() {
    try (SchedulerStore store = SchedulerStore.open(dir.resolve("db"))) {
      SchedulerStateMachine sm = new SchedulerStateMachine(store, (i, c, r) -> {});
      sm.apply(1, create(T0, spec("tens", "*/10 * * * * *")).toByteArray());

      CommandResult refused =
          sm.apply(2, fire(T0.plusSeconds(5), "tens", T0.plusSeconds(10)).toByteArray());

      assertThat(refused.getItems(0).getCode()).isEqualTo(ResultCode.INVALID);
      assertThat(sm.appliedIndex()).isEqualTo(2);
    }
  }

  @Test
  void theAppliedIndexSurvivesClosingAndReopeningTheStore() {
    Path db = dir.resolve("db");
    try (SchedulerStore store = SchedulerStore.open(db)) {
      SchedulerStateMachine sm = new SchedulerStateMachine(store, (i, c, r) -> {});
      sm.apply(1, create(T0, spec("tens", "*/10 * * * * *")).toByteArray());
      sm.apply(2, fire(T0.plusSeconds(10), "tens", T0.plusSeconds(10)).toByteArray());
      sm.apply(3, fire(T0.plusSeconds(10), "tens", T0.plusSeconds(10)).toByteArray()); // refused
    }

    try (SchedulerStore reopened = SchedulerStore.open(db)) {
      assertThat(reopened.appliedIndex()).isEqualTo(3);
      assertThat(reopened.runs("tens", 10)).hasSize(1);
      assertThat(reopened.job("tens").orElseThrow().getCursor())
          .isEqualTo(Times.toTimestamp(T0.plusSeconds(10)));
    }
  }
}
