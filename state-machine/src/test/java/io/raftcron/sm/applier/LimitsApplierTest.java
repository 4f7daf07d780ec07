package io.raftcron.sm.applier;

import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.grant;
import static io.raftcron.sm.TestCommands.spec;
import static io.raftcron.sm.TestCommands.stamped;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.sm.AppliedStoreTest;
import io.raftcron.sm.Limits;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.StoreBatch;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Limits enforced by the applier itself, whatever the API edge let through. */
class LimitsApplierTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @Test
  void aCreateBeyondTheMostJobsIsRefusedAndChangesNothing() {
    // All but one job written straight into the store (fast), the last one through the applier.
    for (int from = 1; from < Limits.MAX_JOBS; from += 100_000) {
      StoreBatch seed = store.batch();
      for (int i = from; i < Math.min(from + 100_000, Limits.MAX_JOBS); i++) {
        seed.createJob(Job.newBuilder().setSpec(spec("j" + i, "@every 1h")).build());
      }
      store.commit(seed, ++index);
    }
    assertThat(apply(create(T0, spec("last", "@every 1h"))).getCode()).isEqualTo(ResultCode.OK);
    long appliedBefore = store.appliedIndex();

    CommandResult refused = apply(create(T0, spec("one-too-many", "@every 1h")));

    assertThat(refused.getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(refused.getMessage()).isEqualTo(
        "the cluster already holds 1000000 jobs, the most it keeps: delete jobs before creating more");
    assertThat(store.job("one-too-many")).isEmpty();
    assertThat(store.appliedIndex()).isEqualTo(appliedBefore + 1);
  }

  @Test
  void anOversizedSpecIsRefusedByTheApplierWithTheFieldAndTheLimit() {
    JobSpec huge = spec("big", "@every 1h").toBuilder()
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder()
            .setCommand("x".repeat(15_000))
            .putEnv("A", "v".repeat(4000)).putEnv("B", "v".repeat(4000)).putEnv("C", "v".repeat(4097))))
        .build();

    CommandResult refused = apply(create(T0, huge));

    assertThat(refused.getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(refused.getMessage()).contains("executor.shell.env value of 'C' is 4097 bytes: at most 4096");
    assertThat(store.job("big")).isEmpty();
  }

  private static final Instant SLOT = T0.plusSeconds(1);
  private static final String RUN_ID = RunIds.of("tick", SLOT);

  /** Job tick, its run at SLOT fired and leased to w1: the lease's token. */
  private long leasedRun() {
    apply(create(T0, spec("tick", "* * * * * *")));
    apply(fire(T0.plusSeconds(2), "tick", SLOT));
    return apply(grant(T0.plusSeconds(3), RUN_ID, "w1", T0.plusSeconds(33))).getItems(0).getRun().getFencingToken();
  }

  @Test
  void aCompletionsErrorTextKeepsItsLastBytesOnly() {
    long token = leasedRun();
    // 3000 two-byte characters then the real end of stderr: 6000+ bytes, cut to the last 4096.
    String error = "é".repeat(3000) + "the actual failure";

    apply(stamped(T0.plusSeconds(4)).setCompleteRuns(CompleteRuns.newBuilder().addCompletions(
        Completion.newBuilder().setRunId(RUN_ID).setFencingToken(token).setWorker("w1").setError(error))).build());

    Run run = store.run("tick", SLOT).orElseThrow();
    assertThat(run.getError()).endsWith("the actual failure").startsWith("é");
    assertThat(run.getError().getBytes(java.nio.charset.StandardCharsets.UTF_8)).hasSizeLessThanOrEqualTo(Limits.MAX_ERROR_BYTES);
    assertThat(run.getAttempts(0).getError()).isEqualTo(run.getError());
  }

  @Test
  void aCompletionWithATimeOutOfRangeIsRefusedAndTheRunKeepsItsLease() {
    long token = leasedRun();
    // Nanoseconds sent as seconds: no Instant, JSON or RFC 3339 text could hold the run afterwards.
    Completion.Builder report = Completion.newBuilder().setRunId(RUN_ID).setFencingToken(token).setWorker("w1")
        .setSucceeded(true).setFinishedAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_700_000_000_000_000_000L));

    CommandResult refused = apply(stamped(T0.plusSeconds(4)).setCompleteRuns(CompleteRuns.newBuilder().addCompletions(report)).build());

    assertThat(refused.getItems(0).getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(refused.getItems(0).getMessage()).contains("completion.finished_at").contains("from 1970 to 9999");
    assertThat(store.run("tick", SLOT).orElseThrow().getState()).isEqualTo(RunState.LEASED);
    CommandResult accepted = apply(stamped(T0.plusSeconds(5)).setCompleteRuns(CompleteRuns.newBuilder().addCompletions(
        report.setFinishedAt(Times.toTimestamp(T0.plusSeconds(5))))).build());
    assertThat(accepted.getItems(0).getCode()).isEqualTo(ResultCode.OK);
    assertThat(store.run("tick", SLOT).orElseThrow().getState()).isEqualTo(RunState.SUCCEEDED);
  }
}
