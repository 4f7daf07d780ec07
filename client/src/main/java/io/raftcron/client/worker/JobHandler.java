package io.raftcron.client.worker;

/**
 * Executes one leased run. Make downstream effects idempotent with {@link RunContext#runId()}
 * and reject stale writers with {@link RunContext#fencingToken()}: a run can be delivered again
 * when a lease expires. A thrown exception counts as a failed attempt.
 */
@FunctionalInterface
public interface JobHandler {
  Outcome handle(RunContext run) throws Exception;
}
