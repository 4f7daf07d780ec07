package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import io.raftcron.raft.LeadershipLostException;
import io.raftcron.raft.NotLeaderException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The leader's timers, due instants from the past to the largest an {@code @at} schedule takes; and
 * long work in slices, the executor's other tasks running between them.
 */
class LeaderTermTest extends LeaderLoopTest {
  private final List<String> order = new CopyOnWriteArrayList<>();

  @Test
  void aFailedProposalIsLoggedAtInfoWhenThisNodeStoppedLeadingAndAtWarnOtherwise() {
    try (LoggedEvents events = new LoggedEvents(LeaderTermTest.class)) {
      org.slf4j.Logger log = LoggerFactory.getLogger(LeaderTermTest.class);
      LeaderTerm.logFailure(log, "purge", new CompletionException(new LeadershipLostException("Leader stepped down")));
      LeaderTerm.logFailure(log, "purge", new NotLeaderException("127.0.0.1:7001"));
      LeaderTerm.logFailure(log, "purge", new CompletionException(new IllegalStateException("timed out")));
      assertThat(events.levels()).containsExactly(Level.INFO, Level.INFO, Level.WARN);
    }
  }

  @Test
  void aTimerDueCenturiesAheadIsArmedAndOneDueAlreadyRunsAtOnce() throws Exception {
    LeaderTerm term = term(command -> {});
    ScheduledFuture<?> farAhead = term.wakeAt(Instant.parse("9999-12-31T23:59:59Z"), () -> {});
    // The executor holds at most ~292 years (Long.MAX_VALUE ns); a timer that far ahead wakes, finds nothing due, re-arms.
    assertThat(farAhead.getDelay(TimeUnit.DAYS)).isGreaterThan(365L * 200);
    farAhead.cancel(false);

    CountDownLatch ran = new CountDownLatch(1);
    term.wakeAt(now.minusSeconds(1), ran::countDown);
    assertThat(ran.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void aTaskQueuedDuringASliceRunsBeforeTheNextSlice() throws Exception {
    LeaderTerm.Steps work = units(3, unit -> {
      if (unit == 1) {
        executor.execute(() -> order.add("other"));
      }
    });
    term(command -> {}).inSlices(work, () -> true).get(10, TimeUnit.SECONDS);
    assertThat(order).containsExactly("unit 1", "other", "unit 2", "unit 3");
  }

  @Test
  void workNoLongerWantedStopsAfterItsSliceAndIsCancelled() {
    AtomicBoolean wanted = new AtomicBoolean(true);
    CompletableFuture<Void> done = term(command -> {}).inSlices(units(3, unit -> wanted.set(false)), wanted::get);
    assertThatThrownBy(() -> done.get(10, TimeUnit.SECONDS)).isInstanceOf(CancellationException.class);
    assertThat(order).containsExactly("unit 1");
  }

  @Test
  void workThatThrowsCompletesWithWhatItThrew() {
    IllegalStateException broken = new IllegalStateException("store closed");
    CompletableFuture<Void> done = term(command -> {}).inSlices(units(3, unit -> {
      if (unit == 2) {
        throw broken;
      }
    }), () -> true);
    assertThatThrownBy(() -> done.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).hasCause(broken);
    assertThat(order).containsExactly("unit 1");
  }

  /** Work of {@code count} units, each lasting until its slice's time is up, so that a slice holds one. */
  private LeaderTerm.Steps units(int count, IntConsumer during) {
    int[] next = {1};
    return timeUp -> {
      do {
        int unit = next[0];
        during.accept(unit);
        while (!timeUp.getAsBoolean()) {
          Thread.onSpinWait();
        }
        order.add("unit " + unit);
        next[0]++;
      } while (next[0] <= count && !timeUp.getAsBoolean());
      return next[0] > count;
    };
  }
}
