package io.raftcron.sm;

import io.raftcron.proto.Completion;
import java.nio.charset.StandardCharsets;

/**
 * Cluster-wide bounds on what clients and workers may store, checked at the API edge and again
 * (deterministically) by the applier. The per-field bounds of a job spec live in
 * {@code JobSpecValidator}.
 */
public final class Limits {
  /**
   * Jobs in the whole cluster; a create beyond it is refused. Sized to what a node holds in its
   * heap budget (the leader keeps each job's next slot in memory; see the scale benchmark).
   */
  public static final int MAX_JOBS = 1_000_000;
  /** A job spec as stored, all fields together. */
  public static final int MAX_SPEC_BYTES = 64 * 1024;
  /** The error text (the tail of a command's stderr) kept per attempt; longer text keeps its end. */
  public static final int MAX_ERROR_BYTES = 4096;
  /** Runs one poll may ask for. */
  public static final int MAX_RUNS_PER_POLL = 100;
  /** Completions one CompleteRuns call may carry. */
  public static final int MAX_COMPLETIONS_PER_CALL = 1000;
  /** A worker id: printable ASCII, this long at most. */
  public static final int MAX_WORKER_ID_LENGTH = 128;
  /** A run id in a request (job name, '@', an RFC 3339 time and a manual suffix fit easily). */
  public static final int MAX_RUN_ID_LENGTH = 256;
  /** Leases one heartbeat may carry (a worker's SDK bounds its concurrency by it). */
  public static final int MAX_LEASES_PER_HEARTBEAT = 10_000;

  private Limits() {}

  /** The last {@code maxBytes} bytes of {@code text} in UTF-8, cut at a character boundary. */
  public static String tail(String text, int maxBytes) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= maxBytes) {
      return text;
    }
    int start = bytes.length - maxBytes;
    while (start < bytes.length && (bytes[start] & 0xC0) == 0x80) {
      start++; // a continuation byte: skip to the next character
    }
    return new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8);
  }

  /** Why a completion's start or finish time cannot be kept ({@link Times#inRange}), or null. */
  public static String completionTimesProblem(Completion completion) {
    if (completion.hasStartedAt() && !Times.inRange(completion.getStartedAt())) {
      return Times.rangeProblem("completion.started_at", completion.getStartedAt());
    }
    return completion.hasFinishedAt() ? Times.rangeProblem("completion.finished_at", completion.getFinishedAt()) : null;
  }

  /** Why {@code workerId} is not acceptable, or null if it is. */
  public static String workerIdProblem(String workerId) {
    if (workerId.isEmpty()) {
      return "worker_id is required";
    }
    if (workerId.length() > MAX_WORKER_ID_LENGTH || !workerId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return "worker_id must be 1-" + MAX_WORKER_ID_LENGTH + " printable ASCII characters without spaces";
    }
    return null;
  }
}
