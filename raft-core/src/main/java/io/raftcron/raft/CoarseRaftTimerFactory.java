package io.raftcron.raft;

import com.alipay.sofa.jraft.util.NamedThreadFactory;
import com.alipay.sofa.jraft.util.SPI;
import com.alipay.sofa.jraft.util.timer.DefaultRaftTimerFactory;
import com.alipay.sofa.jraft.util.timer.HashedWheelTimer;
import com.alipay.sofa.jraft.util.timer.Timer;
import java.util.concurrent.TimeUnit;

/**
 * jraft's timers (election, vote, step-down, snapshot) with a 10 ms tick instead of 1 ms. Each is a
 * hashed wheel whose thread wakes at every tick whether or not a timeout is due: four threads a
 * node woke 4000 times a second, which was ~1 % of a core per thread (9.5 % of all CPU samples of
 * a three-node benchmark). The timeouts they run are hundreds of milliseconds and more, so 10 ms is
 * precision enough. Loaded by jraft through its service loader, ahead of the default (priority).
 */
@SPI(priority = 1)
public final class CoarseRaftTimerFactory extends DefaultRaftTimerFactory {
  static final int TICK_MS = 10;

  @Override
  public Timer createTimer(String name) {
    return new HashedWheelTimer(new NamedThreadFactory(name, true), TICK_MS, TimeUnit.MILLISECONDS, 512);
  }
}
