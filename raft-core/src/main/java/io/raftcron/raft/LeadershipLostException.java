package io.raftcron.raft;

/**
 * The proposal did not complete because this node stopped leading while it was in flight (jraft's "Leader stepped
 * down": a step-down or a shutdown). Its outcome is unknown, as for any {@link ProposalFailedException}: the entry may
 * still commit under the next leader.
 */
public class LeadershipLostException extends ProposalFailedException {

  public LeadershipLostException(String message) {
    super(message);
  }
}
