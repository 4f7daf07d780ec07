package io.raftcron.sm.schedule;

/** A schedule expression or time zone that cannot be used; the message says what is wrong and what is allowed. */
public final class InvalidScheduleException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public InvalidScheduleException(String message) {
    super(message);
  }
}
