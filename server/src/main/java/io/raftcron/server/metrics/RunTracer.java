package io.raftcron.server.metrics;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.raftcron.proto.Attempt;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.Times;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenTelemetry trace per finished run: a root span "run" with the children "fire" (slot to
 * the committed fire decision), and per attempt "lease" (waiting for a worker) and "execution"
 * (on the worker), then "completion" (the report until it committed). Every time comes from the
 * committed run record, so the leader that sees the run finish builds the whole trace at once;
 * followers build none. The trace id is derived from the run id ({@link RunTraceIds}). Attempts
 * that ran longer than the slow-run threshold are logged with their trace id, traced or not.
 */
public final class RunTracer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunTracer.class);
  static final AttributeKey<String> RUN_ID = AttributeKey.stringKey("raftcron.run_id");
  static final AttributeKey<String> JOB = AttributeKey.stringKey("raftcron.job");
  static final AttributeKey<String> STATE = AttributeKey.stringKey("raftcron.state");
  static final AttributeKey<String> NODE = AttributeKey.stringKey("raftcron.node");
  static final AttributeKey<Long> LOG_INDEX = AttributeKey.longKey("raftcron.log_index");
  static final AttributeKey<Long> TERM = AttributeKey.longKey("raftcron.term");
  static final AttributeKey<String> WORKER = AttributeKey.stringKey("raftcron.worker");
  static final AttributeKey<Long> TOKEN = AttributeKey.longKey("raftcron.fencing_token");
  static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("raftcron.attempt");
  static final AttributeKey<Long> EXIT_CODE = AttributeKey.longKey("raftcron.exit_code");

  private final Optional<SdkTracerProvider> provider;
  private final Optional<Tracer> tracer;
  private final RunTraceIds ids = new RunTraceIds();
  private final BooleanSupplier leading;
  private final Duration slowAfter;

  RunTracer(Optional<SpanProcessor> processor, String nodeId, BooleanSupplier leading, Duration slowAfter) {
    this.provider =
        processor.map(
            p ->
                SdkTracerProvider.builder()
                    .setIdGenerator(ids)
                    .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), "raftcron",
                        AttributeKey.stringKey("service.instance.id"), nodeId))))
                    .addSpanProcessor(p)
                    .build());
    this.tracer = provider.map(p -> p.get("io.raftcron.server"));
    this.leading = leading;
    this.slowAfter = slowAfter;
  }

  /** Traces exported over OTLP/HTTP (protobuf) to {@code endpoint}, e.g. http://collector:4318/v1/traces; none without one. */
  public static RunTracer create(Optional<URI> endpoint, String nodeId, BooleanSupplier leading, Duration slowAfter) {
    Optional<SpanProcessor> processor =
        endpoint.map(url -> BatchSpanProcessor.builder(exporter(url)).build());
    return new RunTracer(processor, nodeId, leading, slowAfter);
  }

  private static SpanExporter exporter(URI endpoint) {
    return OtlpHttpSpanExporter.builder().setEndpoint(endpoint.toString()).build();
  }

  /** Called for every applied entry: traces the runs it finished, if this node leads. */
  public void onApplied(Command command, CommandResult result) {
    if (!leading.getAsBoolean()) {
      return;
    }
    Instant committed = Times.toInstant(command.getLeaderTime());
    for (Run run : AppliedRuns.finished(command, result)) {
      logIfSlow(run);
      tracer.ifPresent(t -> trace(t, run, committed));
    }
  }

  private void logIfSlow(Run run) {
    for (Attempt attempt : run.getAttemptsList()) {
      if (attempt.hasStartedAt() && attempt.hasFinishedAt()) {
        Duration took = Duration.between(Times.toInstant(attempt.getStartedAt()), Times.toInstant(attempt.getFinishedAt()));
        if (took.compareTo(slowAfter) > 0) {
          log.warn("slow run {}: attempt {} on {} took {} s, ended {} (trace {})", run.getRunId(), attempt.getAttempt(),
              attempt.getWorker(), took.toSeconds(), attempt.getOutcome(), RunTraceIds.traceIdOf(run.getRunId()));
        }
      }
    }
  }

  private void trace(Tracer tracer, Run run, Instant committed) {
    Instant firedAt = Times.toInstant(run.getFiredAt());
    Instant slot = Times.toInstant(run.getSlot());
    Instant start = slot.isBefore(firedAt) ? slot : firedAt;
    Span root;
    ids.next(run.getRunId());
    try {
      root = tracer.spanBuilder("run " + run.getJob())
          .setNoParent()
          .setStartTimestamp(start)
          .setAllAttributes(Attributes.of(RUN_ID, run.getRunId(), JOB, run.getJob(), STATE, run.getState().name()))
          .startSpan();
    } finally {
      ids.done();
    }
    Context inRun = Context.root().with(root);
    child(tracer, inRun, "fire", start, firedAt,
        Attributes.of(NODE, run.getFiredBy(), TERM, run.getTerm(), LOG_INDEX, run.getFireIndex()));
    Instant waitingSince = firedAt;
    Instant lastEnd = firedAt;
    for (Attempt attempt : run.getAttemptsList()) {
      Attributes who = Attributes.of(ATTEMPT, (long) attempt.getAttempt(), WORKER, attempt.getWorker(),
          TOKEN, attempt.getFencingToken());
      if (attempt.hasStartedAt()) {
        Instant started = Times.toInstant(attempt.getStartedAt());
        child(tracer, inRun, "lease", waitingSince, started, who);
        Instant finished = Times.toInstant(attempt.getFinishedAt());
        Span execution = tracer.spanBuilder("execution").setParent(inRun).setStartTimestamp(started)
            .setAllAttributes(who).setAttribute(EXIT_CODE, (long) attempt.getExitCode())
            .setAttribute(STATE, attempt.getOutcome().name()).startSpan();
        if (attempt.getOutcome() != RunState.SUCCEEDED) {
          execution.setStatus(StatusCode.ERROR, attempt.getError());
        }
        execution.end(finished);
        lastEnd = finished;
      }
      waitingSince = attempt.hasFinishedAt() ? Times.toInstant(attempt.getFinishedAt()) : waitingSince;
    }
    child(tracer, inRun, "completion", lastEnd, committed, Attributes.of(STATE, run.getState().name()));
    if (run.getState() != RunState.SUCCEEDED) {
      root.setStatus(StatusCode.ERROR, run.getError().isEmpty() ? run.getState().name() : run.getError());
    }
    root.end(committed);
  }

  private static void child(Tracer tracer, Context parent, String name, Instant from, Instant to, Attributes attributes) {
    tracer.spanBuilder(name).setParent(parent).setStartTimestamp(from).setAllAttributes(attributes).startSpan()
        .end(to.isBefore(from) ? from : to);
  }

  /** Flushes and stops the exporter. */
  @Override
  public void close() {
    provider.ifPresent(SdkTracerProvider::close);
  }
}
