package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.raft.ProposalFailedException;
import io.raftcron.raft.RaftNode;
import io.raftcron.sm.Times;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;

/**
 * Proposes commands as the leader of one term: stamps the leader's clock, node id and term into
 * the command (the state machine has no other notion of time or origin) and fences the entry
 * with {@code expectedTerm}, so a loop left over from an earlier term can never append.
 */
public final class Proposer implements CommandLog {
  private final InstantSource clock;
  private final String nodeId;
  private final CommitObserver commits;
  // Set once the Raft node exists: the node needs the leader loops, which need this proposer.
  private volatile RaftNode raft;

  public Proposer(InstantSource clock, String nodeId) {
    this(clock, nodeId, CommitObserver.NONE);
  }

  /** A proposer that tells {@code commits} about each of its commands once it has committed. */
  public Proposer(InstantSource clock, String nodeId, CommitObserver commits) {
    this.clock = clock;
    this.nodeId = nodeId;
    this.commits = commits;
  }

  public void attach(RaftNode raft) {
    this.raft = raft;
  }

  @Override
  public CompletableFuture<CommandResult> propose(long term, Command.Builder command) {
    Command stamped = stamp(command, term).build();
    return submit(stamped.toByteArray(), stamped, term);
  }

  /** Proposes the prepared bytes with the stamp appended: the command itself is not serialized again. */
  @Override
  public CompletableFuture<CommandResult> propose(long term, PreparedCommand command) {
    Command stamp = stamp(Command.newBuilder(), term).build();
    return submit(command.bytesStampedWith(stamp), command.stampedWith(stamp), term);
  }

  private Command.Builder stamp(Command.Builder command, long term) {
    return command.setLeaderTime(Times.toTimestamp(clock.instant())).setLeaderNode(nodeId).setTerm(term);
  }

  private CompletableFuture<CommandResult> submit(byte[] bytes, Command stamped, long term) {
    RaftNode node = raft;
    if (node == null) {
      return CompletableFuture.failedFuture(new ProposalFailedException("the node is starting"));
    }
    return node.propose(bytes, term, () -> commits.committed(stamped)).thenApply(CommandResult.class::cast);
  }
}
