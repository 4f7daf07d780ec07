package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The leader's timers: due instants from the past to the largest an {@code @at} schedule takes. */
class LeaderTermTest extends LeaderLoopTest {
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
}
