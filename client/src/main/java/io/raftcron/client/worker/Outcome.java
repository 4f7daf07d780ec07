package io.raftcron.client.worker;

import io.raftcron.proto.RunState;

/** How an attempt ended, as reported to the cluster. */
public record Outcome(Status status, int exitCode, String error) {
  /** The attempt's end; FAILED and TIMED_OUT attempts are retried under the job's retry policy. */
  public enum Status {
    SUCCEEDED,
    FAILED,
    TIMED_OUT,
    CANCELLED;

    RunState runState() {
      return switch (this) {
        case SUCCEEDED -> RunState.SUCCEEDED;
        case FAILED -> RunState.FAILED;
        case TIMED_OUT -> RunState.TIMED_OUT;
        case CANCELLED -> RunState.CANCELLED;
      };
    }
  }

  public Outcome {
    if (status == null) {
      throw new IllegalArgumentException("an outcome needs a status");
    }
    error = error == null ? "" : error;
  }

  /** SUCCEEDED or FAILED. */
  public Outcome(boolean succeeded, int exitCode, String error) {
    this(succeeded ? Status.SUCCEEDED : Status.FAILED, exitCode, error);
  }

  public boolean succeeded() {
    return status == Status.SUCCEEDED;
  }

  public static Outcome success() {
    return new Outcome(Status.SUCCEEDED, 0, "");
  }

  public static Outcome failure(int exitCode, String error) {
    return new Outcome(Status.FAILED, exitCode, error);
  }

  public static Outcome timedOut(String error) {
    return new Outcome(Status.TIMED_OUT, -1, error);
  }

  public static Outcome cancelled(String error) {
    return new Outcome(Status.CANCELLED, -1, error);
  }
}
