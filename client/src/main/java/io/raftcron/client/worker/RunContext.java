package io.raftcron.client.worker;

import io.raftcron.proto.Run;
import java.time.Instant;

/**
 * A run handed to a {@link JobHandler}. {@code runId} is stable across attempts and deliveries
 * (the idempotency key); {@code fencingToken} identifies this lease and grows with each grant.
 */
public record RunContext(Run run, String runId, long fencingToken, int attempt, Instant slot) {
  public static RunContext of(Run run) {
    Instant slot = Instant.ofEpochSecond(run.getSlot().getSeconds(), run.getSlot().getNanos());
    return new RunContext(run, run.getRunId(), run.getFencingToken(), run.getAttempt(), slot);
  }
}
