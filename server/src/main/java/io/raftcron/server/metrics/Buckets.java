package io.raftcron.server.metrics;

/** Histogram bucket bounds, in seconds, for the times a scheduler sees. */
final class Buckets {
  /** Lateness: milliseconds when healthy, up to an hour when a slot was caught up late. */
  static final double[] LATENESS = {
    0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600
  };
  /**
   * Slot → fire committed, on the leader: finer below 100 ms, where a healthy cluster's fires are,
   * so that the share within a target such as 20 ms can be read off a bucket bound.
   */
  static final double[] COMMIT_LATENESS = {
    0.0025, 0.005, 0.0075, 0.01, 0.0125, 0.015, 0.0175, 0.02, 0.025, 0.03, 0.04, 0.05, 0.075, 0.1,
    0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600
  };
  /** Run durations: from a quick command to a long batch job. */
  static final double[] DURATION = {0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 1800, 3600, 10800};
  /** Applying one committed entry to RocksDB. */
  static final double[] APPLY = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5};
  /** A task of the leader's thread: a millisecond or two when healthy. */
  static final double[] LEADER_TASK = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  private Buckets() {}

  /** Seconds from {@code from} to {@code to}, never negative (clocks of different leaders differ). */
  static double secondsBetween(java.time.Instant from, java.time.Instant to) {
    return Math.max(0, (to.getEpochSecond() - from.getEpochSecond()) + (to.getNano() - from.getNano()) / 1e9);
  }
}
