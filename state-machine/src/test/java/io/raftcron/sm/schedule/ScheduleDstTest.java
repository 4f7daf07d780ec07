package io.raftcron.sm.schedule;

import static io.raftcron.sm.schedule.ScheduleTest.at;
import static io.raftcron.sm.schedule.ScheduleTest.slots;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real 2026 transitions. Europe/Berlin: 03-29 02:00 CET → 03:00 CEST (01:00Z); 10-25 03:00 CEST → 02:00 CET
 * (01:00Z). America/New_York: 03-08 02:00 EST → 03:00 EDT (07:00Z); 11-01 02:00 EDT → 01:00 EST (06:00Z).
 */
class ScheduleDstTest {

  @Test
  void dailyJobInTheSpringForwardGapFiresOnceWhenTheGapEnds() {
    Schedule s = Schedule.parse("30 2 * * *", "Europe/Berlin");
    assertThat(slots(s, at("2026-03-28T00:00:00Z"), 3)).containsExactly(
        at("2026-03-28T01:30:00Z"), // 02:30 CET
        at("2026-03-29T01:00:00Z"), // 02:30 does not exist: 03:00 CEST
        at("2026-03-30T00:30:00Z")); // 02:30 CEST
  }

  @Test
  void dailyJobInTheSpringForwardGapFiresWhenTheGapEndsInNewYork() {
    Schedule s = Schedule.parse("30 2 * * *", "America/New_York");
    assertThat(slots(s, at("2026-03-07T12:00:00Z"), 2))
        .containsExactly(at("2026-03-08T07:00:00Z"), at("2026-03-09T06:30:00Z"));
  }

  @Test
  void severalTimesInOneGapCollapseIntoOneSlot() {
    Schedule s = Schedule.parse("0,30 2,3 * * *", "Europe/Berlin");
    assertThat(slots(s, at("2026-03-28T23:00:00Z"), 3))
        .containsExactly(at("2026-03-29T01:00:00Z"), at("2026-03-29T01:30:00Z"), at("2026-03-30T00:00:00Z"));
  }

  @Test
  void dailyJobInTheFallBackHourFiresOnlyAtTheFirstOccurrence() {
    Schedule s = Schedule.parse("30 2 * * *", "Europe/Berlin");
    assertThat(slots(s, at("2026-10-24T12:00:00Z"), 2))
        .containsExactly(at("2026-10-25T00:30:00Z"), at("2026-10-26T01:30:00Z"));
  }

  @Test
  void dailyJobDoesNotRepeatWhenTheSearchStartsInsideTheRepeatedHour() {
    Schedule s = Schedule.parse("30 2 * * *", "Europe/Berlin");
    // 01:15Z is 02:15 CET, the second pass through 02:xx; cron-utils alone answers 02:30 CET here.
    assertThat(s.nextAfter(at("2026-10-25T01:15:00Z"))).contains(at("2026-10-26T01:30:00Z"));
    assertThat(s.isSlot(at("2026-10-25T01:30:00Z"))).isFalse();
  }

  @Test
  void dailyJobInTheFallBackHourFiresOnceInNewYork() {
    Schedule s = Schedule.parse("30 1 * * *", "America/New_York");
    assertThat(slots(s, at("2026-10-31T12:00:00Z"), 2))
        .containsExactly(at("2026-11-01T05:30:00Z"), at("2026-11-02T06:30:00Z"));
    assertThat(s.nextAfter(at("2026-11-01T06:10:00Z"))).contains(at("2026-11-02T06:30:00Z"));
  }

  @ParameterizedTest
  @CsvSource({
      "0 * * * *,      Europe/Berlin,    2026-03-28T22:30:00Z, PT1H",
      "0 * * * *,      Europe/Berlin,    2026-10-24T22:30:00Z, PT1H",
      "0 * * * *,      America/New_York, 2026-03-08T04:30:00Z, PT1H",
      "0 * * * *,      America/New_York, 2026-11-01T03:30:00Z, PT1H",
      "*/15 * * * *,   Europe/Berlin,    2026-03-29T00:00:00Z, PT15M",
      "*/15 * * * *,   Europe/Berlin,    2026-10-24T23:00:00Z, PT15M",
      "* * * * *,      America/New_York, 2026-11-01T05:00:00Z, PT1M",
      "*/10 * * * * *, Europe/Berlin,    2026-10-25T00:50:00Z, PT10S"})
  void jobsThatRunEveryHourKeepTheirSpacingThroughTheTransition(
      String expression, String zone, String from, Duration spacing) {
    Schedule s = Schedule.parse(expression, zone);
    Instant start = at(from);
    // Enough slots to cover at least three hours around the transition.
    int n = (int) (Duration.ofHours(3).toSeconds() / spacing.toSeconds()) + 2;
    List<Instant> slots = slots(s, start, n);
    for (int i = 1; i < slots.size(); i++) {
      assertThat(Duration.between(slots.get(i - 1), slots.get(i))).as("after %s", slots.get(i - 1))
          .isEqualTo(spacing);
    }
  }

  @Test
  void hourlyJobFiresTwentyThreeTimesOnTheSpringForwardDay() {
    Schedule s = Schedule.parse("0 * * * *", "Europe/Berlin");
    // Local midnight to midnight: 2026-03-29T00:00 CET to 2026-03-30T00:00 CEST.
    assertThat(s.countSlots(at("2026-03-28T22:59:59Z"), at("2026-03-29T21:59:59Z"), 100)).isEqualTo(23);
  }

  @Test
  void hourlyJobFiresTwentyFiveTimesOnTheFallBackDay() {
    Schedule s = Schedule.parse("0 * * * *", "Europe/Berlin");
    assertThat(s.countSlots(at("2026-10-24T21:59:59Z"), at("2026-10-25T22:59:59Z"), 100)).isEqualTo(25);
  }

  @Test
  void twoHourlyJobFollowsTheWallClockAndSoFiresTheRepeatedHourOnce() {
    Schedule s = Schedule.parse("0 */2 * * *", "Europe/Berlin");
    assertThat(slots(s, at("2026-10-24T21:30:00Z"), 3))
        .containsExactly(at("2026-10-24T22:00:00Z"), at("2026-10-25T00:00:00Z"), at("2026-10-25T03:00:00Z"));
  }

  @Test
  void slotsAreStrictlyIncreasingThroughAYearOfTransitions() {
    for (String zone : List.of("Europe/Berlin", "America/New_York", "Australia/Lord_Howe")) {
      for (String expression : List.of("30 2 * * *", "0 * * * *", "*/20 1-3 * * *", "0,30 2 * * *")) {
        Schedule s = Schedule.parse(expression, zone);
        Instant previous = at("2026-01-01T00:00:00Z");
        for (Instant slot : slots(s, previous, 2000)) {
          assertThat(slot).as("%s in %s", expression, zone).isAfter(previous);
          previous = slot;
        }
      }
    }
  }
}
