package io.raftcron.server.leader;

import java.time.Duration;

/**
 * Thresholds of the built-in alerts.
 *
 * @param failuresInARow a job's newest this-many finished runs all failed: FAILING_JOB
 * @param checkInterval how often the leader evaluates the conditions
 * @param stuckMinimum a run is never stuck before it has been leased this long (unless past its timeout)
 * @param stuckFactor a run leased longer than this many times the job's usual (median) duration is stuck
 * @param noWorkersAfter a queued run and no worker heard from for this long: NO_WORKERS
 */
public record AlertRules(
    int failuresInARow, Duration checkInterval, Duration stuckMinimum, double stuckFactor, Duration noWorkersAfter) {
  public static final AlertRules DEFAULT =
      new AlertRules(3, Duration.ofSeconds(5), Duration.ofMinutes(5), 5, Duration.ofMinutes(1));

  public AlertRules {
    if (failuresInARow < 1) {
      throw new IllegalArgumentException("--alert-failures must be at least 1, not " + failuresInARow);
    }
    if (checkInterval.isNegative() || checkInterval.isZero()) {
      throw new IllegalArgumentException("the alert check interval must be positive");
    }
    if (stuckFactor <= 1) {
      throw new IllegalArgumentException("the stuck-run factor must be above 1");
    }
  }

  public AlertRules withFailuresInARow(int n) {
    return new AlertRules(n, checkInterval, stuckMinimum, stuckFactor, noWorkersAfter);
  }

  public AlertRules withCheckInterval(Duration d) {
    return new AlertRules(failuresInARow, d, stuckMinimum, stuckFactor, noWorkersAfter);
  }

  public AlertRules withStuckMinimum(Duration d) {
    return new AlertRules(failuresInARow, checkInterval, d, stuckFactor, noWorkersAfter);
  }

  public AlertRules withNoWorkersAfter(Duration d) {
    return new AlertRules(failuresInARow, checkInterval, stuckMinimum, stuckFactor, d);
  }
}
