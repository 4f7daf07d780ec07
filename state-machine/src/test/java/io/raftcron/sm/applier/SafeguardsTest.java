package io.raftcron.sm.applier;

import static io.raftcron.sm.TestCommands.complete;
import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.expire;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.grant;
import static io.raftcron.sm.TestCommands.spec;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.raftcron.proto.BackfillJob;
import io.raftcron.proto.Command;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.RunState;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Safeguards;
import io.raftcron.sm.TestCommands;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two safeguards the chaos suite's sabotage switch turns off, each with and without it: what
 * the enforced applier refuses, the weakened one accepts (so a checker that misses it is broken).
 */
class SafeguardsTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant SLOT = T0.plusSeconds(1);
  private static final String JOB = "tick";

  @TempDir Path dir;

  @ParameterizedTest(name = "refuse decided slots: {0}")
  @ValueSource(booleans = {true, false})
  void aDecidedSlotIsFiredAgainOnlyWithoutTheRefusal(boolean refuse) {
    try (SchedulerStore store = SchedulerStore.open(dir.resolve("db"))) {
      Applier applier = new Applier(store, new Safeguards(refuse, true));
      applier.apply(1, create(T0, spec(JOB, "* * * * * *")));
      assertThat(applier.apply(2, fire(T0.plusSeconds(2), JOB, SLOT)).getItems(0).getCode()).isEqualTo(ResultCode.OK);

      ResultCode again = applier.apply(3, fire(T0.plusSeconds(3), JOB, SLOT)).getItems(0).getCode();
      ResultCode backfill = applier.apply(4, backfill(T0.plusSeconds(4), SLOT)).getItems(0).getCode();

      ResultCode expected = refuse ? ResultCode.DUPLICATE_SLOT : ResultCode.OK;
      assertThat(again).isEqualTo(expected);
      assertThat(backfill).isEqualTo(expected);
      assertThat(store.run(JOB, SLOT).orElseThrow().getFireIndex()).isEqualTo(refuse ? 2 : 4);
      assertThat(store.job(JOB).orElseThrow().getFiredCount()).isEqualTo(refuse ? 1 : 3);
    }
  }

  @ParameterizedTest(name = "fence completions: {0}")
  @ValueSource(booleans = {true, false})
  void aStaleCompletionCountsOnlyWithoutFencing(boolean fence) {
    try (SchedulerStore store = SchedulerStore.open(dir.resolve("db"))) {
      Applier applier = new Applier(store, new Safeguards(true, fence));
      String runId = RunIds.of(JOB, SLOT);
      applier.apply(1, create(T0, spec(JOB, "* * * * * *")));
      applier.apply(2, fire(T0.plusSeconds(2), JOB, SLOT));
      applier.apply(3, grant(T0.plusSeconds(3), runId, "w1", T0.plusSeconds(33)));
      applier.apply(4, expire(T0.plusSeconds(34), runId, 3));
      applier.apply(5, grant(T0.plusSeconds(35), runId, "w2", T0.plusSeconds(65)));

      ResultCode stale = applier.apply(6, complete(T0.plusSeconds(40), runId, 3, true, 0, "")).getItems(0).getCode();

      assertThat(stale).isEqualTo(fence ? ResultCode.STALE_TOKEN : ResultCode.OK);
      assertThat(store.run(JOB, SLOT).orElseThrow().getState()).isEqualTo(fence ? RunState.LEASED : RunState.SUCCEEDED);
    }
  }

  private static Command backfill(Instant at, Instant... slots) {
    BackfillJob.Builder backfill = BackfillJob.newBuilder().setName(JOB);
    for (Instant slot : slots) {
      Timestamp ts = Times.toTimestamp(slot);
      backfill.addSlots(ts);
    }
    return TestCommands.stamped(at).setBackfillJob(backfill).build();
  }
}
