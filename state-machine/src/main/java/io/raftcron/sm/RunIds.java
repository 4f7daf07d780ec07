package io.raftcron.sm;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Run ids are stable and readable: {@code <job>@<slot in RFC 3339, UTC>}. Job names cannot
 * contain '@', so the last '@' splits the id.
 */
public final class RunIds {
  private RunIds() {}

  public static String of(String job, Instant slot) {
    return job + "@" + slot;
  }

  /** The (job, slot) an id names, or null if the text is not a run id. */
  public static RunRef parse(String runId) {
    int at = runId.lastIndexOf('@');
    if (at <= 0 || at == runId.length() - 1) {
      return null;
    }
    try {
      return new RunRef(runId.substring(0, at), Instant.parse(runId.substring(at + 1)));
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A run's identity: its job and its slot. */
  public record RunRef(String job, Instant slot) {}
}
