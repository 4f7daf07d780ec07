package io.raftcron.cli;

import io.grpc.Status;

/** Process exit codes. */
final class ExitCodes {
  static final int OK = 0;
  /** The cluster refused the request: invalid, not found, already exists, version mismatch. */
  static final int USER_ERROR = 1;
  /** Bad options or arguments (picocli's own code for usage errors). */
  static final int USAGE = 2;
  /** No node of the cluster answered in time. */
  static final int UNAVAILABLE = 3;

  private ExitCodes() {}

  static int of(Status.Code code) {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED ? UNAVAILABLE : USER_ERROR;
  }
}
