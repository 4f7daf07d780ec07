package io.raftcron.sm.applier;

import com.google.protobuf.Duration;
import io.raftcron.proto.Completion;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;

/**
 * The retry policy's arithmetic, shared by the leader (which decides the next attempt time) and
 * the applier (which checks that a retry is allowed). Pure: the leader passes the random draw for
 * the jitter in, so nothing here reads a clock or a random source.
 *
 * <p>Defaults for unset fields: initial backoff 10 s, multiplier 2, max backoff 10 min, jitter
 * 0.2. {@code max_attempts} 0 or 1 means a single attempt (no retry).
 */
public final class RetryRules {
  public static final java.time.Duration DEFAULT_INITIAL_BACKOFF = java.time.Duration.ofSeconds(10);
  public static final double DEFAULT_MULTIPLIER = 2.0;
  public static final java.time.Duration DEFAULT_MAX_BACKOFF = java.time.Duration.ofMinutes(10);
  public static final double DEFAULT_JITTER = 0.2;

  private RetryRules() {}

  /** Attempts in all, the first included: at least 1. */
  public static int maxAttempts(RetryPolicy policy) {
    return Math.max(1, policy.getMaxAttempts());
  }

  /** Whether an attempt that ended with {@code outcome} is retried under the run's policy. */
  public static boolean retries(Run run, RunState outcome) {
    return mayRetry(outcome)
        && !run.getCancelRequested()
        && run.getAttempt() < maxAttempts(run.getRetry());
  }

  /**
   * A completion's outcome, as the leader reads it to stamp a retry and the applier to record it:
   * an unset one follows {@code succeeded}. Null if not an outcome.
   */
  public static RunState outcomeOf(Completion completion) {
    return switch (completion.getOutcome()) {
      case RUN_STATE_UNSPECIFIED -> completion.getSucceeded() ? RunState.SUCCEEDED : RunState.FAILED;
      case SUCCEEDED, FAILED, TIMED_OUT, CANCELLED -> completion.getOutcome();
      default -> null;
    };
  }

  /** Whether an attempt that ended with {@code outcome} is ever retried: a failure or a timeout. */
  public static boolean mayRetry(RunState outcome) {
    return outcome == RunState.FAILED || outcome == RunState.TIMED_OUT;
  }

  /**
   * The wait before attempt {@code failedAttempt + 1}: {@code min(max, initial × multiplier^(failedAttempt−1))},
   * then moved by up to ± jitter × that, with {@code unit} in [0, 1) choosing where (0.5: no move).
   */
  public static java.time.Duration backoff(RetryPolicy policy, int failedAttempt, double unit) {
    double initialMs = millis(policy.getInitialBackoff(), DEFAULT_INITIAL_BACKOFF);
    double maxMs = millis(policy.getMaxBackoff(), DEFAULT_MAX_BACKOFF);
    double multiplier = policy.getMultiplier() > 0 ? policy.getMultiplier() : DEFAULT_MULTIPLIER;
    double jitter = policy.getJitter() > 0 ? Math.min(1.0, policy.getJitter()) : DEFAULT_JITTER;
    double base = initialMs * Math.pow(multiplier, Math.max(0, failedAttempt - 1));
    if (!(base <= maxMs)) { // also catches overflow to infinity and NaN
      base = maxMs;
    }
    double u = Math.min(1.0, Math.max(0.0, unit));
    double ms = base * (1 + jitter * (2 * u - 1));
    return java.time.Duration.ofMillis(Math.max(0, Math.round(ms)));
  }

  private static double millis(Duration d, java.time.Duration fallback) {
    long ms = d.getSeconds() * 1000 + d.getNanos() / 1_000_000;
    return ms > 0 ? ms : fallback.toMillis();
  }
}
