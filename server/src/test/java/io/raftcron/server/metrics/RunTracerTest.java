package io.raftcron.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.SpanId;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.Executor;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.RunState;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import io.raftcron.sm.applier.Applier;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run's trace built from the records of the real applier, exported to the SDK's in-memory
 * exporter: one trace whose id derives from the run id, the spans fire, lease, execution and
 * completion under the root with the committed times, and no trace from a node that does not lead.
 */
class RunTracerTest {
  private static final Instant SLOT = Instant.parse("2026-03-01T10:00:05Z");
  private static final String JOB = "etl";

  @TempDir Path dir;
  private SchedulerStore store;
  private Applier applier;
  private long index;
  private final InMemorySpanExporter exported = InMemorySpanExporter.create();
  private final AtomicBoolean leading = new AtomicBoolean(true);
  private RunTracer tracer;

  @BeforeEach
  void open() {
    store = SchedulerStore.open(dir.resolve("db"));
    applier = new Applier(store);
    tracer = new RunTracer(Optional.of(SimpleSpanProcessor.create(exported)), "n1", leading::get, Duration.ofMinutes(10));
  }

  @AfterEach
  void close() {
    tracer.close();
    store.close();
  }

  private void apply(Instant at, Command.Builder command) {
    Command stamped = command.setLeaderTime(Times.toTimestamp(at)).setLeaderNode("n1").setTerm(4).build();
    CommandResult result = applier.apply(++index, stamped);
    tracer.onApplied(stamped, result);
  }

  /** A run of SLOT: fired at +1 s, leased at +2 s, executed from +3 s to +8 s, completion committed at +9 s. */
  private String runOnce(boolean succeeded) {
    JobSpec spec = JobSpec.newBuilder().setName(JOB).setSchedule("* * * * * *")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true"))).build();
    apply(SLOT.minusSeconds(5), Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec).setCreate(true)));
    apply(SLOT.plusSeconds(1), Command.newBuilder().setFireSlots(FireSlots.newBuilder()
        .addDecisions(SlotDecision.newBuilder().setJob(JOB).setSlot(Times.toTimestamp(SLOT)).setFire(true))));
    String runId = RunIds.of(JOB, SLOT);
    apply(SLOT.plusSeconds(2), Command.newBuilder().setGrantLeases(GrantLeases.newBuilder().addGrants(
        LeaseGrant.newBuilder().setRunId(runId).setWorker("w1").setDeadline(Times.toTimestamp(SLOT.plusSeconds(32))))));
    long token = store.run(JOB, SLOT).orElseThrow().getFencingToken();
    apply(SLOT.plusSeconds(9), Command.newBuilder().setCompleteRuns(CompleteRuns.newBuilder().addCompletions(
        Completion.newBuilder().setRunId(runId).setFencingToken(token).setWorker("w1").setSucceeded(succeeded)
            .setExitCode(succeeded ? 0 : 2).setError(succeeded ? "" : "no such table")
            .setStartedAt(Times.toTimestamp(SLOT.plusSeconds(3))).setFinishedAt(Times.toTimestamp(SLOT.plusSeconds(8))))));
    return runId;
  }

  private static Instant start(SpanData span) {
    return Instant.EPOCH.plusNanos(span.getStartEpochNanos());
  }

  private static Instant end(SpanData span) {
    return Instant.EPOCH.plusNanos(span.getEndEpochNanos());
  }

  @Test
  void aFinishedRunIsOneTraceWithItsCommittedTimesAndARunDerivedTraceId() {
    String runId = runOnce(true);
    Map<String, SpanData> spans =
        exported.getFinishedSpanItems().stream().collect(Collectors.toMap(SpanData::getName, Function.identity()));
    assertThat(spans).containsOnlyKeys("run " + JOB, "fire", "lease", "execution", "completion");
    SpanData root = spans.get("run " + JOB);
    assertThat(root.getTraceId()).isEqualTo(RunTraceIds.traceIdOf(runId)).hasSize(32);
    assertThat(root.getParentSpanId()).isEqualTo(SpanId.getInvalid());
    assertThat(root.getAttributes().get(RunTracer.RUN_ID)).isEqualTo(runId);
    for (String child : new String[] {"fire", "lease", "execution", "completion"}) {
      assertThat(spans.get(child).getTraceId()).isEqualTo(root.getTraceId());
      assertThat(spans.get(child).getParentSpanId()).isEqualTo(root.getSpanId());
    }
    assertThat(start(root)).isEqualTo(SLOT);
    assertThat(end(root)).isEqualTo(SLOT.plusSeconds(9));
    assertThat(end(spans.get("fire"))).isEqualTo(SLOT.plusSeconds(1));
    assertThat(spans.get("fire").getAttributes().get(RunTracer.TERM)).isEqualTo(4L);
    assertThat(start(spans.get("lease"))).isEqualTo(SLOT.plusSeconds(1));
    assertThat(end(spans.get("lease"))).isEqualTo(SLOT.plusSeconds(3));
    assertThat(start(spans.get("execution"))).isEqualTo(SLOT.plusSeconds(3));
    assertThat(end(spans.get("execution"))).isEqualTo(SLOT.plusSeconds(8));
    assertThat(spans.get("execution").getAttributes().get(RunTracer.WORKER)).isEqualTo("w1");
    assertThat(end(spans.get("completion"))).isEqualTo(SLOT.plusSeconds(9));
    assertThat(root.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
  }

  @Test
  void aFailedRunMarksItsExecutionAndRootAsErrors() {
    runOnce(false);
    Map<String, SpanData> spans =
        exported.getFinishedSpanItems().stream().collect(Collectors.toMap(SpanData::getName, Function.identity()));
    assertThat(spans.get("execution").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(spans.get("execution").getStatus().getDescription()).isEqualTo("no such table");
    assertThat(spans.get("execution").getAttributes().get(RunTracer.STATE)).isEqualTo(RunState.FAILED.name());
    assertThat(spans.get("run " + JOB).getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
  }

  @Test
  void aNodeThatDoesNotLeadTracesNothing() {
    leading.set(false);
    runOnce(true);
    assertThat(exported.getFinishedSpanItems()).isEmpty();
  }
}
