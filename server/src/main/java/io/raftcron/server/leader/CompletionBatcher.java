package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.ItemResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Group commit for worker completions. Each completion used to be its own CompleteRuns entry,
 * so N workers finishing together cost N log entries, N fsyncs on every node and N applies.
 * Now at most {@link #MAX_IN_FLIGHT} CompleteRuns entries are in flight; completions that arrive
 * meanwhile wait and go out together in the next entry (at most {@link #MAX_PER_ENTRY}, and
 * {@link #MAX_BYTES_PER_ENTRY} unless a single completion is larger). An idle
 * leader proposes a lone completion at once, so batching adds no latency when there is nothing to
 * batch, and under load the batch size follows the commit latency by itself.
 *
 * <p>Each caller gets a CommandResult holding only its own item, as before. A failed entry fails
 * every completion in it (the outcome is unknown; workers retry, and the applier answers a repeated
 * completion of the same lease idempotently). Runs only on the leader's executor thread.
 */
final class CompletionBatcher {
  static final int MAX_IN_FLIGHT = 2;
  /**
   * With two entries in flight, a leader whose commits take a second under load completes at most
   * twice this many runs a second: 1000 capped {@code e2e} at 2600 runs/s once it was saturated.
   */
  static final int MAX_PER_ENTRY = 4000;
  /** What 1000 completions with long error texts could already reach. */
  static final int MAX_BYTES_PER_ENTRY = 4 << 20;

  /** A completion waiting for its entry, and its caller's reply. */
  record Pending(Completion completion, CompletableFuture<CommandResult> reply) {}

  private final LeaderTerm leader;
  private final List<Pending> waiting = new ArrayList<>();
  private int inFlight;
  private boolean closed;

  CompletionBatcher(LeaderTerm leader) {
    this.leader = leader;
  }

  CompletableFuture<CommandResult> submit(Completion completion) {
    CompletableFuture<CommandResult> reply = new CompletableFuture<>();
    if (closed) {
      reply.completeExceptionally(new NotLeadingException());
      return reply;
    }
    waiting.add(new Pending(completion, reply));
    flush();
    return reply;
  }

  void close() {
    closed = true;
    waiting.forEach(p -> p.reply.completeExceptionally(new NotLeadingException()));
    waiting.clear();
  }

  private void flush() {
    while (!closed && inFlight < MAX_IN_FLIGHT && !waiting.isEmpty()) {
      List<Pending> batch = new ArrayList<>(waiting.subList(0, entrySize(waiting)));
      waiting.subList(0, batch.size()).clear();
      CompleteRuns.Builder entry = CompleteRuns.newBuilder();
      batch.forEach(p -> entry.addCompletions(p.completion));
      inFlight++;
      leader
          .propose(Command.newBuilder().setCompleteRuns(entry))
          .whenCompleteAsync(
              (result, failure) -> {
                inFlight--;
                for (int i = 0; i < batch.size(); i++) {
                  CompletableFuture<CommandResult> reply = batch.get(i).reply;
                  if (failure != null) {
                    reply.completeExceptionally(failure);
                  } else {
                    // Not result.toBuilder(): that copies every item of the entry for each caller. An entry
                    // refused as a whole has no items: each caller gets the entry's refusal as its own.
                    ItemResult item = i < result.getItemsCount()
                        ? result.getItems(i)
                        : ItemResult.newBuilder().setCode(result.getCode()).setMessage(result.getMessage()).build();
                    reply.complete(CommandResult.newBuilder()
                        .setCode(result.getCode())
                        .setMessage(result.getMessage())
                        .addItems(item)
                        .build());
                  }
                }
                flush();
              },
              leader.executor());
    }
  }

  /** How many of the first {@code waiting} completions the next entry takes: at least one, within the bounds. */
  static int entrySize(List<Pending> waiting) {
    int n = 0;
    long bytes = 0;
    for (Pending pending : waiting) {
      bytes += pending.completion.getSerializedSize();
      if (n == MAX_PER_ENTRY || (n > 0 && bytes > MAX_BYTES_PER_ENTRY)) {
        break;
      }
      n++;
    }
    return n;
  }
}
