package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.sm.Times;
import io.raftcron.sm.applier.Applier;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a leader loop's test runs on: a real store and applier standing in for the Raft log, a
 * clock the test sets, and the single leader executor.
 */
abstract class LeaderLoopTest {
  static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  @TempDir Path dir;
  SchedulerStore store;
  ScheduledExecutorService executor;
  volatile Instant now = T0;
  final InstantSource clock = () -> now;
  private Applier applier;
  private long index;

  @BeforeEach
  void openStore() {
    store = SchedulerStore.open(dir.resolve("db"));
    applier = new Applier(store);
    executor = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void closeStore() throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(10, TimeUnit.SECONDS);
    store.close();
  }

  /** Applies {@code command} as the next log entry, stamped by node n1 leading term 1 at {@code now}. */
  synchronized CommandResult apply(Command.Builder command) {
    return applier.apply(++index, command.setLeaderTime(Times.toTimestamp(now)).setLeaderNode("n1").setTerm(1).build());
  }

  /** The last applied entry's index: a grant's fencing token. */
  synchronized long lastIndex() {
    return index;
  }

  /** Term 1, whose proposals are applied at once and then shown to {@code proposed}. */
  LeaderTerm term(Consumer<Command.Builder> proposed) {
    return term((term, command) -> {
      CommandResult result = apply(command);
      proposed.accept(command);
      return CompletableFuture.completedFuture(result);
    });
  }

  /** Term 1 proposing to {@code log}, on this test's clock and executor. */
  LeaderTerm term(CommandLog log) {
    return new LeaderTerm(1, store, log, clock, executor);
  }
}
