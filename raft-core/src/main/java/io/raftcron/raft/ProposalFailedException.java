package io.raftcron.raft;

/**
 * The proposal did not complete here. The outcome is unknown: unless the message says otherwise the entry may still
 * commit (for example after "Leader stepped down"), so retries must be idempotent.
 */
public class ProposalFailedException extends RuntimeException {

  public ProposalFailedException(String message) {
    super(message);
  }
}
