package io.raftcron.server.metrics;

import io.opentelemetry.sdk.trace.IdGenerator;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A run's trace id is derived from its run id (the first 16 bytes of its SHA-256), so anyone who
 * knows the run id — a worker, a log reader — can find or join the run's trace without being told.
 * As the tracer's id generator, it hands out the pending run's trace id for the root span.
 */
public final class RunTraceIds implements IdGenerator {
  private final ThreadLocal<String> pending = new ThreadLocal<>();

  public static String traceIdOf(String runId) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(runId.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** The next root span started on this thread belongs to {@code runId}'s trace. */
  void next(String runId) {
    pending.set(traceIdOf(runId));
  }

  void done() {
    pending.remove();
  }

  @Override
  public String generateTraceId() {
    String traceId = pending.get();
    return traceId != null ? traceId : IdGenerator.random().generateTraceId();
  }

  @Override
  public String generateSpanId() {
    return IdGenerator.random().generateSpanId();
  }
}
