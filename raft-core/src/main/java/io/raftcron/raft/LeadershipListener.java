package io.raftcron.raft;

/**
 * Leadership changes, delivered on a raft-core executor thread (never the FSM thread), in order. Every
 * {@code onLeaderStart(term)} is followed by exactly one {@code onLeaderStop(term)} before the next start.
 */
public interface LeadershipListener {

  void onLeaderStart(long term);

  void onLeaderStop(long term);

  /** The node hit an unrecoverable error (apply threw, storage failed) and stopped applying. */
  default void onFatalError(Throwable cause) {}
}
