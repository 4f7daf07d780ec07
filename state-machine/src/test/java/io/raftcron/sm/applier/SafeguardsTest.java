package io.raftcron.sm.applier;

import static io.raftcron.sm.TestCommands.backfill;
import static io.raftcron.sm.TestCommands.complete;
import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.expire;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.grant;
import static io.raftcron.sm.TestCommands.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.ResultCode;
import io.raftcron.proto.RunState;
import io.raftcron.sm.AppliedStoreTest;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Safeguards;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two safeguards the chaos suite's sabotage switch turns off, each with and without it: what
 * the enforced applier refuses, the weakened one accepts (so a checker that misses it is broken).
 */
class SafeguardsTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final Instant SLOT = T0.plusSeconds(1);
  private static final String JOB = "tick";

  @ParameterizedTest(name = "refuse decided slots: {0}")
  @ValueSource(booleans = {true, false})
  void aDecidedSlotIsFiredAgainOnlyWithoutTheRefusal(boolean refuse) {
    applier = new Applier(store, new Safeguards(refuse, true));
    apply(create(T0, spec(JOB, "* * * * * *")));
    assertThat(apply(fire(T0.plusSeconds(2), JOB, SLOT)).getItems(0).getCode()).isEqualTo(ResultCode.OK);

    ResultCode again = apply(fire(T0.plusSeconds(3), JOB, SLOT)).getItems(0).getCode();
    ResultCode backfill = apply(backfill(T0.plusSeconds(4), JOB, SLOT)).getItems(0).getCode();

    ResultCode expected = refuse ? ResultCode.DUPLICATE_SLOT : ResultCode.OK;
    assertThat(again).isEqualTo(expected);
    assertThat(backfill).isEqualTo(expected);
    assertThat(run(JOB, SLOT).getFireIndex()).isEqualTo(refuse ? 2 : 4);
    assertThat(job(JOB).getFiredCount()).isEqualTo(refuse ? 1 : 3);
  }

  @ParameterizedTest(name = "fence completions: {0}")
  @ValueSource(booleans = {true, false})
  void aStaleCompletionCountsOnlyWithoutFencing(boolean fence) {
    applier = new Applier(store, new Safeguards(true, fence));
    String runId = RunIds.of(JOB, SLOT);
    apply(create(T0, spec(JOB, "* * * * * *")));
    apply(fire(T0.plusSeconds(2), JOB, SLOT));
    apply(grant(T0.plusSeconds(3), runId, "w1", T0.plusSeconds(33)));
    apply(expire(T0.plusSeconds(34), runId, 3));
    apply(grant(T0.plusSeconds(35), runId, "w2", T0.plusSeconds(65)));

    ResultCode stale = apply(complete(T0.plusSeconds(40), runId, 3, true, 0, "")).getItems(0).getCode();

    assertThat(stale).isEqualTo(fence ? ResultCode.STALE_TOKEN : ResultCode.OK);
    assertThat(run(JOB, SLOT).getState()).isEqualTo(fence ? RunState.LEASED : RunState.SUCCEEDED);
  }
}
