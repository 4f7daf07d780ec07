package io.raftcron.sm.schedule;

import static io.raftcron.sm.schedule.ScheduleTest.at;
import static io.raftcron.sm.schedule.ScheduleTest.slots;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftcron.sm.schedule.Schedule.Gap;
import io.raftcron.sm.schedule.Schedule.Repeat;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The DST options and one-shot {@code @at} schedules, on real 2026 transitions. Europe/Berlin:
 * 03-29 02:00 CET → 03:00 CEST (01:00Z); 10-25 03:00 CEST → 02:00 CET (01:00Z). America/New_York:
 * 03-08 02:00 EST → 03:00 EDT (07:00Z); 11-01 02:00 EDT → 01:00 EST (06:00Z).
 */
class ScheduleDstOptionsTest {
  private static final String BERLIN = "Europe/Berlin";
  private static final String NEW_YORK = "America/New_York";

  // ---- gap: shift (default) or skip ----

  @Test
  void gapSkipDoesNotRunADailyJobOnTheSpringForwardDay() {
    Schedule s = Schedule.parse("30 2 * * *", BERLIN, Gap.SKIP, Repeat.AUTO);
    assertThat(slots(s, at("2026-03-28T00:00:00Z"), 2))
        .containsExactly(at("2026-03-28T01:30:00Z"), at("2026-03-30T00:30:00Z"));
    assertThat(s.isSlot(at("2026-03-29T01:00:00Z"))).isFalse();
  }

  @Test
  void gapShiftIsTheDefaultAndRunsWhenTheGapEndsInNewYork() {
    Schedule shift = Schedule.parse("30 2 * * *", NEW_YORK, Gap.SHIFT, Repeat.AUTO);
    Schedule skip = Schedule.parse("30 2 * * *", NEW_YORK, Gap.SKIP, Repeat.AUTO);
    assertThat(shift.nextAfter(at("2026-03-08T00:00:00Z"))).contains(at("2026-03-08T07:00:00Z"));
    assertThat(skip.nextAfter(at("2026-03-08T00:00:00Z"))).contains(at("2026-03-09T06:30:00Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"SHIFT", "SKIP"})
  void theGapOptionDoesNotChangeAnHourlyJobWhichKeepsItsElapsedSpacing(String gap) {
    Schedule s = Schedule.parse("30 * * * *", BERLIN, Gap.valueOf(gap), Repeat.AUTO);
    // 01:30 CET (00:30Z), then 03:30 CEST (01:30Z): one hour apart, nothing shifted to 03:00.
    assertThat(slots(s, at("2026-03-29T00:00:00Z"), 2))
        .containsExactly(at("2026-03-29T00:30:00Z"), at("2026-03-29T01:30:00Z"));
  }

  // ---- repeated time: once or twice ----

  @Test
  void repeatTwiceRunsADailyJobAtBothOccurrencesOfTheRepeatedTime() {
    Schedule s = Schedule.parse("30 2 * * *", BERLIN, Gap.SHIFT, Repeat.TWICE);
    assertThat(slots(s, at("2026-10-24T12:00:00Z"), 3))
        .containsExactly(at("2026-10-25T00:30:00Z"), at("2026-10-25T01:30:00Z"), at("2026-10-26T01:30:00Z"));
    assertThat(s.isSlot(at("2026-10-25T01:30:00Z"))).isTrue();
    // Started inside the second pass, the second occurrence is still ahead.
    assertThat(s.nextAfter(at("2026-10-25T01:15:00Z"))).contains(at("2026-10-25T01:30:00Z"));
  }

  @Test
  void repeatTwiceInNewYork() {
    Schedule s = Schedule.parse("30 1 * * *", NEW_YORK, Gap.SHIFT, Repeat.TWICE);
    assertThat(slots(s, at("2026-10-31T12:00:00Z"), 3))
        .containsExactly(at("2026-11-01T05:30:00Z"), at("2026-11-01T06:30:00Z"), at("2026-11-02T06:30:00Z"));
  }

  @Test
  void repeatOnceIsTheDefaultForWallClockSchedules() {
    Schedule auto = Schedule.parse("30 2 * * *", BERLIN);
    Schedule once = Schedule.parse("30 2 * * *", BERLIN, Gap.SHIFT, Repeat.ONCE);
    assertThat(slots(once, at("2026-10-24T12:00:00Z"), 5)).isEqualTo(slots(auto, at("2026-10-24T12:00:00Z"), 5));
  }

  @Test
  void anHourlyJobRunsTwentyFiveTimesOnTheFallBackDayByDefaultAndTwentyFourWithRepeatOnce() {
    Instant from = at("2026-10-24T21:59:59Z");
    Instant to = at("2026-10-25T22:59:59Z");
    assertThat(Schedule.parse("0 * * * *", BERLIN).countSlots(from, to, 100)).isEqualTo(25);
    assertThat(Schedule.parse("0 * * * *", BERLIN, Gap.SHIFT, Repeat.TWICE).countSlots(from, to, 100))
        .isEqualTo(25);
    Schedule once = Schedule.parse("0 * * * *", BERLIN, Gap.SHIFT, Repeat.ONCE);
    assertThat(once.countSlots(from, to, 100)).isEqualTo(24);
    // 02:00 CEST (00:00Z) and 03:00 CET (02:00Z): the repeated 02:00 CET (01:00Z) does not run.
    assertThat(slots(once, at("2026-10-24T23:30:00Z"), 2))
        .containsExactly(at("2026-10-25T00:00:00Z"), at("2026-10-25T02:00:00Z"));
  }

  @Test
  void aMinutelyJobWithRepeatOnceSkipsTheWholeSecondPassInOneStep() {
    Schedule s = Schedule.parse("* * * * *", NEW_YORK, Gap.SHIFT, Repeat.ONCE);
    // 01:59 EDT is 05:59Z; the second pass 01:00-01:59 EST is 06:00Z-06:59Z; 02:00 EST is 07:00Z.
    assertThat(s.nextAfter(at("2026-11-01T05:59:00Z"))).contains(at("2026-11-01T07:00:00Z"));
    assertThat(s.nextAfter(at("2026-11-01T06:20:00Z"))).contains(at("2026-11-01T07:00:00Z"));
  }

  static Stream<Arguments> schedulesAroundTransitions() {
    List<String> expressions = List.of("30 2 * * *", "0 * * * *", "*/20 1-3 * * *", "0,30 2 * * *", "30 1 * * *");
    return Stream.of(BERLIN, NEW_YORK, "Australia/Lord_Howe")
        .flatMap(zone -> expressions.stream().flatMap(expression -> Arrays.stream(Gap.values())
            .flatMap(gap -> Arrays.stream(Repeat.values())
                .map(repeat -> Arguments.of(zone, expression, gap, repeat)))));
  }

  @ParameterizedTest(name = "{1} in {0}, {2} {3}")
  @MethodSource("schedulesAroundTransitions")
  void slotsAreStrictlyIncreasingAndAgreeWithIsSlotAroundEveryTransitionOfTheYear(
      String zone, String expression, Gap gap, Repeat repeat) {
    Schedule s = Schedule.parse(expression, zone, gap, repeat);
    java.time.zone.ZoneRules rules = java.time.ZoneId.of(zone).getRules();
    for (java.time.zone.ZoneOffsetTransition t = rules.nextTransition(at("2026-01-01T00:00:00Z"));
        t.getInstant().isBefore(at("2027-01-01T00:00:00Z"));
        t = rules.nextTransition(t.getInstant())) {
      Instant from = t.getInstant().minus(java.time.Duration.ofDays(2));
      Instant to = t.getInstant().plus(java.time.Duration.ofDays(2));
      Instant previous = from;
      for (Optional<Instant> next = s.nextAfter(from);
          next.isPresent() && next.get().isBefore(to);
          next = s.nextAfter(next.get())) {
        Instant slot = next.get();
        assertThat(slot).as("around %s", t.getInstant()).isAfter(previous);
        assertThat(s.isSlot(slot)).isTrue();
        // The answer does not depend on where the search starts.
        assertThat(s.nextAfter(slot.minusSeconds(1))).contains(slot);
        previous = slot;
      }
    }
  }

  // ---- DST notes for the preview ----

  @Test
  void notesMarkAShiftedSlotAndBothOccurrencesOfARepeatedTime() {
    Schedule shift = Schedule.parse("30 2 * * *", BERLIN);
    assertThat(shift.dstNote(at("2026-03-28T01:30:00Z"), at("2026-03-29T01:00:00Z")))
        .hasValueSatisfying(n -> assertThat(n).contains("shifted").contains("02:00-03:00"));
    assertThat(shift.dstNote(at("2026-03-29T01:00:00Z"), at("2026-03-30T00:30:00Z"))).isEmpty();

    Schedule twice = Schedule.parse("30 2 * * *", BERLIN, Gap.SHIFT, Repeat.TWICE);
    assertThat(twice.dstNote(null, at("2026-10-25T00:30:00Z")))
        .hasValueSatisfying(n -> assertThat(n).contains("occurs twice").contains("first occurrence")
            .contains("runs again"));
    assertThat(twice.dstNote(null, at("2026-10-25T01:30:00Z")))
        .hasValueSatisfying(n -> assertThat(n).contains("second occurrence"));
    assertThat(shift.dstNote(null, at("2026-10-25T00:30:00Z")))
        .hasValueSatisfying(n -> assertThat(n).contains("does not run again"));
  }

  @Test
  void notesMarkTheSlotAfterASkippedGap() {
    Schedule skip = Schedule.parse("30 2 * * *", NEW_YORK, Gap.SKIP, Repeat.AUTO);
    assertThat(skip.dstNote(at("2026-03-07T07:30:00Z"), at("2026-03-09T06:30:00Z")))
        .hasValueSatisfying(n -> assertThat(n).contains("02:00-03:00").contains("did not run"));
    assertThat(Schedule.parse("@every 1h", BERLIN).dstNote(null, at("2026-10-25T01:00:00Z"))).isEmpty();
  }

  // ---- @at ----

  @Test
  void atIsAOneShotSchedule() {
    Schedule s = Schedule.parse("@at 2026-12-24T18:00:00+01:00", BERLIN);
    Instant slot = at("2026-12-24T17:00:00Z");
    assertThat(s.oneShot()).contains(slot);
    assertThat(s.nextAfter(at("2026-01-01T00:00:00Z"))).contains(slot);
    assertThat(s.nextAfter(slot.minusMillis(1))).contains(slot);
    assertThat(s.nextAfter(slot)).isEmpty();
    assertThat(s.isSlot(slot)).isTrue();
    assertThat(s.isSlot(slot.plusSeconds(1))).isFalse();
    assertThat(s.countSlots(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"), 10)).isEqualTo(1);
    assertThat(Schedule.parse("@at 2026-12-24T17:00:00Z", "").nextAfter(Instant.EPOCH)).contains(slot);
    assertThat(Schedule.parse("0 0 * * *", "").oneShot()).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"@at", "@at tomorrow", "@at 2026-12-24T18:00:00", "@at 2026-12-24T18:00:00.5Z",
      "@at 1969-12-31T23:59:59Z"})
  void atNeedsAWholeSecondRfc3339InstantWithAnOffset(String expression) {
    assertThatThrownBy(() -> Schedule.parse(expression, ""))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("@at");
  }

  @Test
  void unknownMacrosMentionAt() {
    assertThatThrownBy(() -> Schedule.parse("@sometime", ""))
        .hasMessageContaining("@at <RFC 3339 instant>");
    assertThat(Optional.of(Schedule.parse("@at 2026-01-01T00:00:00Z", "Europe/Berlin").zone().getId()))
        .contains("Europe/Berlin");
  }
}
