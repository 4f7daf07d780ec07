package io.raftcron.sm.store;

/** The state store cannot be read or written: the node cannot go on applying. */
public final class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
