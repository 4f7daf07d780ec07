package io.raftcron.sm.applier;

import io.raftcron.proto.Command;
import io.raftcron.sm.Safeguards;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.StoreBatch;
import java.time.Instant;

/** What every command handler may use: the entry's index, the leader's stamps, the batch. */
record ApplyContext(
    long index, Instant leaderTime, String leaderNode, long term, StoreBatch batch, Safeguards safeguards) {
  static ApplyContext of(long index, Command command, StoreBatch batch, Safeguards safeguards) {
    return new ApplyContext(
        index,
        Times.toInstant(command.getLeaderTime()),
        command.getLeaderNode(),
        command.getTerm(),
        batch,
        safeguards);
  }
}
