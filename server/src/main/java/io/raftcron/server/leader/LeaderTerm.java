package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.sm.store.SchedulerStore;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What every leader loop of one term works with: the committed state it plans from, the clock,
 * the single leader executor it runs on, and proposals fenced with this term.
 */
record LeaderTerm(
    long term,
    SchedulerStore store,
    Proposer proposer,
    InstantSource clock,
    ScheduledExecutorService executor) {

  CompletableFuture<CommandResult> propose(Command.Builder command) {
    return proposer.propose(term, command);
  }
}
