package io.raftcron.sm.applier;

/**
 * A committed entry this replica cannot apply (undecodable, or an operation it does not know).
 * Skipping it would silently fork the replicas, so the node must stop instead.
 */
public final class UnappliableCommandException extends RuntimeException {
  public UnappliableCommandException(String message, Throwable cause) {
    super(message, cause);
  }
}
