package io.raftcron.server.leader;

/**
 * A task of the leader's thread that does other code's work, such as a slice of long work ({@link
 * LeaderTerm#inSlices}): the leader's executor names a slow one after {@link #origin()}, not after
 * the class that cut the work into tasks.
 */
public interface LeaderTask extends Runnable {
  /** The class whose work this task does. */
  Class<?> origin();
}
