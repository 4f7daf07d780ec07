package io.raftcron.sm.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.raftcron.sm.schedule.InvalidScheduleException;
import io.raftcron.sm.schedule.Schedule;
import java.time.Instant;
import java.util.Optional;

/**
 * Any text as a schedule and a zone: parsing either succeeds or says why not
 * (InvalidScheduleException); a parsed schedule's next slot is strictly later. Nothing else may
 * escape — the applier runs this on every replica. See the README's "Fuzzing" for a real run.
 */
class ScheduleFuzzTest {
  private static final long MAX_SECONDS = 253_402_300_799L; // 9999-12-31T23:59:59Z

  @FuzzTest(maxDuration = "30s")
  void parsesOrSaysWhyNot(String expression, String zone, long seconds) {
    Schedule schedule;
    try {
      schedule = Schedule.parse(expression, zone);
    } catch (InvalidScheduleException refused) {
      assertThat(refused.getMessage()).isNotBlank();
      return;
    }
    Instant from = Instant.ofEpochSecond(Math.floorMod(seconds, MAX_SECONDS));
    Optional<Instant> next = schedule.nextAfter(from);
    next.ifPresent(slot -> assertThat(slot).isAfter(from));
  }
}
