package io.raftcron.server.leader;

/** This node stopped leading while the request waited; the caller should retry elsewhere. */
public final class NotLeadingException extends RuntimeException {
  public NotLeadingException() {
    super("this node is no longer the leader");
  }
}
