package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class JumpResistantClockTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private final AtomicReference<Instant> wall = new AtomicReference<>(T0);
  private final AtomicLong mono = new AtomicLong(1_000_000_000L);
  private final JumpResistantClock clock =
      new JumpResistantClock(() -> wall.get(), mono::get, Duration.ofSeconds(1), Duration.ofSeconds(30));

  /** Both clocks advance together, as they do when nothing jumps. */
  private void elapse(Duration d) {
    mono.addAndGet(d.toNanos());
    wall.set(wall.get().plus(d));
  }

  @Test
  void followsTheWallClockAndItsSmallSlews() {
    elapse(Duration.ofSeconds(5));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(5));

    wall.set(wall.get().plusMillis(300)); // NTP slewing within the tolerance
    assertThat(clock.instant()).isEqualTo(T0.plusMillis(5300));
  }

  @Test
  void aBriefForwardJumpIsIgnored() {
    elapse(Duration.ofSeconds(2));
    wall.set(wall.get().plusSeconds(40));
    elapse(Duration.ofSeconds(8));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(10));

    wall.set(wall.get().minusSeconds(40)); // healed
    elapse(Duration.ofSeconds(1));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(11));
  }

  @Test
  void aBriefBackwardJumpNeitherStallsNorMovesTimeBack() {
    elapse(Duration.ofSeconds(2));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(2));
    wall.set(wall.get().minusSeconds(40));
    elapse(Duration.ofSeconds(5));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(7));
  }

  @Test
  void aJumpThatPersistsIsAdoptedAfterTheGracePeriod() {
    clock.instant();
    wall.set(wall.get().plus(Duration.ofHours(1)));
    elapse(Duration.ofSeconds(1));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(1));
    elapse(Duration.ofSeconds(29));
    assertThat(clock.instant()).isEqualTo(T0.plusSeconds(30));
    elapse(Duration.ofSeconds(1));
    assertThat(clock.instant()).isEqualTo(T0.plus(Duration.ofHours(1)).plusSeconds(31));
    elapse(Duration.ofSeconds(1));
    assertThat(clock.instant()).isEqualTo(T0.plus(Duration.ofHours(1)).plusSeconds(32));
  }

  @Test
  void theSystemClockIsCloseToTheWallClock() {
    Instant system = JumpResistantClock.system().instant();
    assertThat(Duration.between(InstantSource.system().instant(), system).abs()).isLessThan(Duration.ofSeconds(1));
  }
}
