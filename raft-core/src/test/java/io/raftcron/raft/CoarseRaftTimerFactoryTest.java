package io.raftcron.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.util.timer.Timer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** jraft builds its nodes' timers with raftcron's coarse-tick factory, and those timers still fire. */
class CoarseRaftTimerFactoryTest {
  @Test
  void jraftLoadsTheCoarseTimerFactoryAheadOfItsDefault() {
    assertThat(NodeImpl.TIMER_FACTORY).isInstanceOf(CoarseRaftTimerFactory.class);
  }

  @Test
  void aTimerOfTheFactoryRunsItsTimeouts() throws Exception {
    Timer timer = new CoarseRaftTimerFactory().createTimer("test-timer");
    try {
      CountDownLatch fired = new CountDownLatch(1);
      timer.newTimeout(timeout -> fired.countDown(), 3 * CoarseRaftTimerFactory.TICK_MS, TimeUnit.MILLISECONDS);
      assertThat(fired.await(10, TimeUnit.SECONDS)).isTrue();
    } finally {
      timer.stop();
    }
  }
}
