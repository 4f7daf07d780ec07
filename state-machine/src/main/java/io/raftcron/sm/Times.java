package io.raftcron.sm;

import com.google.protobuf.Timestamp;
import java.time.Instant;

/** Conversions between protobuf timestamps and instants, and the range of instants the API takes. */
public final class Times {
  /** 9999-12-31T23:59:59Z: the last second RFC 3339 (and so the JSON API) can write. */
  public static final long MAX_SECONDS = 253_402_300_799L;

  private Times() {}

  /** Whether {@code t} is an instant from 1970 to 9999 with valid nanos: one every replica, JSON and key can hold. */
  public static boolean inRange(Timestamp t) {
    return t.getNanos() >= 0 && t.getNanos() < 1_000_000_000 && t.getSeconds() >= 0 && t.getSeconds() <= MAX_SECONDS;
  }

  /** Why {@code t}, the value of {@code field}, is out of range ({@link #inRange}), or null if it is not. */
  public static String rangeProblem(String field, Timestamp t) {
    return inRange(t)
        ? null
        : field + " (" + t.getSeconds() + "s " + t.getNanos() + "ns since the epoch) is out of range: use an instant"
            + " from 1970 to 9999";
  }

  /** As {@link #inRange}, for an instant. */
  public static boolean inRange(Instant i) {
    return i.getEpochSecond() >= 0 && i.getEpochSecond() <= MAX_SECONDS;
  }

  public static Instant toInstant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
  }

  public static Timestamp toTimestamp(Instant i) {
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
