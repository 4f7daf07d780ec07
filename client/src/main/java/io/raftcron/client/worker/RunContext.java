package io.raftcron.client.worker;

import io.raftcron.proto.Run;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * A run handed to a {@link JobHandler}. {@code runId} is stable across attempts and deliveries
 * (the idempotency key); {@code fencingToken} identifies this lease and grows with each grant.
 *
 * <p>The worker stops an execution by interrupting the handler's thread: when the job's timeout
 * is reached, when the run is cancelled, or when the lease was lost (another worker may hold the
 * run now). A handler should let {@link InterruptedException} propagate, or check
 * {@link Thread#isInterrupted()} and return early.
 */
public record RunContext(Run run, String runId, long fencingToken, int attempt, Instant slot) {
  public static RunContext of(Run run) {
    Instant slot = Instant.ofEpochSecond(run.getSlot().getSeconds(), run.getSlot().getNanos());
    return new RunContext(run, run.getRunId(), run.getFencingToken(), run.getAttempt(), slot);
  }

  /** The job's execution time limit as it was when the slot fired; empty means none. */
  public Optional<Duration> timeout() {
    Duration timeout = Duration.ofSeconds(run.getTimeout().getSeconds(), run.getTimeout().getNanos());
    return timeout.isZero() || timeout.isNegative() ? Optional.empty() : Optional.of(timeout);
  }

  /** The lease's length as granted (deadline − leased at); empty if the run does not say. */
  public Optional<Duration> leaseLength() {
    if (!run.hasLeaseDeadline() || !run.hasLeasedAt()) {
      return Optional.empty();
    }
    Duration length = Duration.between(
        Instant.ofEpochSecond(run.getLeasedAt().getSeconds(), run.getLeasedAt().getNanos()),
        Instant.ofEpochSecond(run.getLeaseDeadline().getSeconds(), run.getLeaseDeadline().getNanos()));
    return length.isZero() || length.isNegative() ? Optional.empty() : Optional.of(length);
  }
}
