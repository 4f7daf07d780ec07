package io.raftcron.sm;

import io.raftcron.proto.Run;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * Run ids are stable and readable. A scheduled or backfilled run is {@code <job>@<slot>} (the slot
 * in RFC 3339, UTC: {@code tick@2026-11-25T06:00:02Z}). A manual run is {@code
 * <job>@<trigger time>~<suffix>}: its "slot" is the trigger's leader time to the millisecond, never
 * a whole second (so never a schedule slot), and the suffix names the trigger: {@code m-<request
 * id>} or {@code m<log index>} without one ({@code tick@2026-11-25T06:00:02.417Z~m-deploy-42}). A
 * run is stored under its job and slot alone, so both kinds are found the same way. Job names
 * cannot contain '@', request ids contain neither '@' nor '~', so the last '@' splits the id.
 */
public final class RunIds {
  /** Separates a manual run's suffix from its time. */
  public static final char SUFFIX = '~';

  /** What a manual trigger's request id may hold. */
  private static final java.util.regex.Pattern REQUEST_ID =
      java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  // The last slot formatted, and the last parsed: fire, lease and completion entries hold many jobs'
  // runs of the same slot, and formatting and parsing an instant are dear. Kept apart because parsing
  // accepts texts other than the one formatting gives (".000Z"), and a run id must be the formatted one.
  private static volatile SlotText lastFormatted = new SlotText(Instant.EPOCH, Instant.EPOCH.toString());
  private static volatile SlotText lastParsed = lastFormatted;

  private record SlotText(Instant slot, String text) {}

  private RunIds() {}

  /** True if {@code requestId} is 1-128 of {@code A-Z a-z 0-9 . _ : -}. */
  public static boolean isValidRequestId(String requestId) {
    return REQUEST_ID.matcher(requestId).matches();
  }

  public static String of(String job, Instant slot) {
    SlotText last = lastFormatted;
    if (!last.slot().equals(slot)) {
      last = new SlotText(slot, slot.toString());
      lastFormatted = last;
    }
    return job + "@" + last.text();
  }

  /** A manual run's id: {@code <job>@<time>~m-<request id>}, or {@code ~m<index>} without one. */
  public static String manual(String job, Instant time, String requestId, long index) {
    return job + "@" + time + SUFFIX + (requestId.isEmpty() ? "m" + index : "m-" + requestId);
  }

  /**
   * The (job, slot) an id names, or null if the text is not a run id. A slot outside 1970-9999
   * ({@link Times#inRange}) names no run: none is ever made there, and its key would overflow.
   */
  public static RunRef parse(String runId) {
    int at = runId.lastIndexOf('@');
    if (at <= 0 || at == runId.length() - 1) {
      return null;
    }
    String time = runId.substring(at + 1);
    int suffix = time.indexOf(SUFFIX);
    if (suffix >= 0) {
      if (suffix == time.length() - 1) {
        return null;
      }
      time = time.substring(0, suffix);
    }
    SlotText last = lastParsed;
    if (last.text().equals(time)) {
      return new RunRef(runId.substring(0, at), last.slot());
    }
    try {
      Instant slot = Instant.parse(time);
      if (!Times.inRange(slot)) {
        return null;
      }
      lastParsed = new SlotText(slot, time);
      return new RunRef(runId.substring(0, at), slot);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /** A run's identity: its job and its slot (a manual run's trigger time). */
  public record RunRef(String job, Instant slot) {
    /** The (job, slot) the store keeps {@code run} under: its slot to the millisecond. */
    public static RunRef of(Run run) {
      return new RunRef(run.getJob(), Instant.ofEpochMilli(Times.toInstant(run.getSlot()).toEpochMilli()));
    }
  }
}
