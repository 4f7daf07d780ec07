package io.raftcron.server;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The time a node stamps into its decisions: the wall clock as long as it moves with the monotonic
 * clock, and the monotonic clock's count from the last agreement when the wall clock jumps. A jump
 * (the two disagree by more than the tolerance) is logged and ignored; if it is still there after
 * {@code adoptAfter} it is taken as a real correction and adopted. So a brief jump neither fires
 * slots early (forward) nor stalls them (backward); an adopted forward correction fires the slots
 * it skipped under each job's misfire policy, an adopted backward one delays the next fires. No
 * jump can fire a slot twice: that is the state machine's cursor check, whatever the time.
 */
public final class JumpResistantClock implements InstantSource {
  public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(1);
  public static final Duration DEFAULT_ADOPT_AFTER = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(JumpResistantClock.class);
  private static final long NONE = Long.MIN_VALUE;

  private final InstantSource wall;
  private final LongSupplier monotonicNanos;
  private final long toleranceNanos;
  private final long adoptAfterNanos;
  private Instant anchorWall;
  private long anchorNanos;
  private long jumpSeenAt = NONE;
  private Instant last;

  public JumpResistantClock(
      InstantSource wall, LongSupplier monotonicNanos, Duration tolerance, Duration adoptAfter) {
    this.wall = wall;
    this.monotonicNanos = monotonicNanos;
    this.toleranceNanos = tolerance.toNanos();
    this.adoptAfterNanos = adoptAfter.toNanos();
    this.anchorNanos = monotonicNanos.getAsLong();
    this.anchorWall = wall.instant();
    this.last = anchorWall;
  }

  /** The system wall clock guarded by {@link System#nanoTime()}. */
  public static JumpResistantClock system() {
    return new JumpResistantClock(InstantSource.system(), System::nanoTime, DEFAULT_TOLERANCE, DEFAULT_ADOPT_AFTER);
  }

  @Override
  public synchronized Instant instant() {
    long now = monotonicNanos.getAsLong();
    Instant wallNow = wall.instant();
    Instant steady = anchorWall.plusNanos(now - anchorNanos);
    long skew = Duration.between(steady, wallNow).toNanos();
    if (Math.abs(skew) <= toleranceNanos) {
      if (jumpSeenAt != NONE) {
        log.warn("the wall clock agrees with the monotonic clock again (off by {} ms)", skew / 1_000_000);
        jumpSeenAt = NONE;
      }
      anchor(wallNow, now); // follows NTP's small slews
    } else if (jumpSeenAt == NONE) {
      jumpSeenAt = now;
      log.warn("the wall clock jumped {} ms {}: keeping monotonic time for up to {} s", Math.abs(skew) / 1_000_000,
          skew > 0 ? "forward" : "back", adoptAfterNanos / 1_000_000_000);
    } else if (now - jumpSeenAt >= adoptAfterNanos) {
      log.warn("the wall clock has stayed {} ms {} for {} s: adopting it", Math.abs(skew) / 1_000_000,
          skew > 0 ? "ahead" : "behind", adoptAfterNanos / 1_000_000_000);
      jumpSeenAt = NONE;
      anchor(wallNow, now);
      last = wallNow;
      return wallNow;
    }
    Instant time = anchorWall.plusNanos(now - anchorNanos);
    if (time.isBefore(last)) {
      time = last; // a small correction back never moves stamped time back
    }
    last = time;
    return time;
  }

  private void anchor(Instant wallNow, long now) {
    anchorWall = wallNow;
    anchorNanos = now;
  }
}
