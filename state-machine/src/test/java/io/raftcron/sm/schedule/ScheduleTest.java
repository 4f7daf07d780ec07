package io.raftcron.sm.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ScheduleTest {

  static Instant at(String instant) {
    return Instant.parse(instant);
  }

  /** The first {@code n} slots after {@code from}. */
  static List<Instant> slots(Schedule schedule, Instant from, int n) {
    List<Instant> result = new ArrayList<>();
    Instant t = from;
    for (int i = 0; i < n; i++) {
      t = schedule.nextAfter(t).orElseThrow();
      result.add(t);
    }
    return result;
  }

  @Test
  void theNextSlotAfterAFractionalInstantIsAWholeSecond() {
    Instant t = at("2026-11-25T06:21:56.591975074Z");
    assertThat(Schedule.parse("* * * * * *", "").nextAfter(t)).contains(at("2026-11-25T06:21:57Z"));
    assertThat(Schedule.parse("* * * * *", "Europe/Berlin").nextAfter(t)).contains(at("2026-11-25T06:22:00Z"));
    assertThat(Schedule.parse("30 2 * * *", "Europe/Berlin").nextAfter(t)).contains(at("2026-11-26T01:30:00Z"));
  }

  @Test
  void fiveFieldCronFiresOnItsMinutes() {
    Schedule s = Schedule.parse("*/5 * * * *", "");
    assertThat(slots(s, at("2026-01-01T10:02:30Z"), 3))
        .containsExactly(at("2026-01-01T10:05:00Z"), at("2026-01-01T10:10:00Z"), at("2026-01-01T10:15:00Z"));
  }

  @Test
  void weekdayRangeWithNamesSkipsTheWeekend() {
    Schedule s = Schedule.parse("0 9 * * MON-FRI", "UTC");
    // 2026-01-02 is a Friday.
    assertThat(s.nextAfter(at("2026-01-02T10:00:00Z"))).contains(at("2026-01-05T09:00:00Z"));
  }

  @Test
  void monthNamesAndListsSelectThoseMonths() {
    Schedule s = Schedule.parse("0 0 1 JAN,JUL *", "");
    assertThat(slots(s, at("2026-02-01T00:00:00Z"), 2))
        .containsExactly(at("2026-07-01T00:00:00Z"), at("2027-01-01T00:00:00Z"));
  }

  @Test
  void stepsWithinARangeStartAtTheRangeStart() {
    Schedule s = Schedule.parse("1-10/3 0 * * *", "");
    assertThat(slots(s, at("2026-01-01T00:00:00Z"), 4)).containsExactly(at("2026-01-01T00:01:00Z"),
        at("2026-01-01T00:04:00Z"), at("2026-01-01T00:07:00Z"), at("2026-01-01T00:10:00Z"));
  }

  @Test
  void restrictedDayOfMonthAndDayOfWeekMatchEitherAsInUnixCron() {
    Schedule s = Schedule.parse("0 0 13 * FRI", "");
    // Friday 9th, Tuesday 13th, Friday 16th.
    assertThat(slots(s, at("2026-01-03T00:00:00Z"), 3))
        .containsExactly(at("2026-01-09T00:00:00Z"), at("2026-01-13T00:00:00Z"), at("2026-01-16T00:00:00Z"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"0 0 * * 0", "0 0 * * 7", "0 0 * * SUN"})
  void sundayIsZeroSevenOrSun(String expression) {
    assertThat(Schedule.parse(expression, "").nextAfter(at("2026-01-01T00:00:00Z")))
        .contains(at("2026-01-04T00:00:00Z"));
  }

  @Test
  void sixFieldCronHasALeadingSecondsField() {
    Schedule s = Schedule.parse("*/2 * * * * *", "");
    assertThat(slots(s, at("2026-01-01T00:00:00.500Z"), 3))
        .containsExactly(at("2026-01-01T00:00:02Z"), at("2026-01-01T00:00:04Z"), at("2026-01-01T00:00:06Z"));
  }

  @Test
  void sixFieldCronCombinesDaysAsUnixCronWithoutAQuestionMark() {
    Schedule s = Schedule.parse("30 0 0 13 * FRI", "");
    assertThat(slots(s, at("2026-01-10T00:00:00Z"), 2))
        .containsExactly(at("2026-01-13T00:00:30Z"), at("2026-01-16T00:00:30Z"));
  }

  @ParameterizedTest
  @CsvSource({
      "@yearly,   2027-01-01T00:00:00Z",
      "@annually, 2027-01-01T00:00:00Z",
      "@monthly,  2026-06-01T00:00:00Z",
      "@weekly,   2026-05-10T00:00:00Z",
      "@daily,    2026-05-06T00:00:00Z",
      "@midnight, 2026-05-06T00:00:00Z",
      "@hourly,   2026-05-05T11:00:00Z"})
  void macrosMapToTheirUnixExpressions(String macro, String expected) {
    // 2026-05-05 is a Tuesday.
    assertThat(Schedule.parse(macro, "").nextAfter(at("2026-05-05T10:20:00Z"))).contains(at(expected));
  }

  @ParameterizedTest
  @CsvSource({"@every 10s, 10", "@every 1m30s, 90", "@every 2h, 7200", "@every 2000ms, 2", "@every 1h1m1s, 3661"})
  void everyAcceptsGoStyleDurations(String expression, long seconds) {
    Schedule s = Schedule.parse(expression, "");
    assertThat(s.nextAfter(Instant.EPOCH)).contains(Instant.ofEpochSecond(seconds));
  }

  @Test
  void everySlotsAreAlignedToTheUnixEpoch() {
    Schedule s = Schedule.parse("@every 7s", "");
    assertThat(slots(s, Instant.ofEpochSecond(1_000_000), 2))
        .containsExactly(Instant.ofEpochSecond(1_000_006), Instant.ofEpochSecond(1_000_013));
  }

  @Test
  void everySlotsDoNotDependOnTheZone() {
    Schedule s = Schedule.parse("@every 1h", "Asia/Kolkata");
    assertThat(s.nextAfter(at("2026-01-01T10:20:00Z"))).contains(at("2026-01-01T11:00:00Z"));
  }

  @Test
  void everySlotsExtendBeforeTheEpoch() {
    Schedule s = Schedule.parse("@every 1m", "");
    assertThat(s.nextAfter(at("1969-12-31T23:58:30Z"))).contains(at("1969-12-31T23:59:00Z"));
    assertThat(s.isSlot(at("1969-12-31T23:59:00Z"))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"@every 500ms", "@every 1500ms", "@every 0s", "@every 25h", "@every 99999999999999999999h"})
  void everyRejectsDurationsOutsideWholeSecondsFromOneSecondToOneDay(String expression) {
    assertThatThrownBy(() -> Schedule.parse(expression, ""))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("is not allowed")
        .hasMessageContaining("whole number of seconds from 1s to 24h");
  }

  @ParameterizedTest
  @ValueSource(strings = {"@every", "@every -5s", "@every 1.5h", "@every 10", "@every 2d", "@every ten seconds"})
  void everyRejectsUnparseableDurations(String expression) {
    assertThatThrownBy(() -> Schedule.parse(expression, ""))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("invalid duration")
        .hasMessageContaining("units h, m, s, ms");
  }

  @ParameterizedTest
  @ValueSource(strings = {"* * * *", "* * * * * * *"})
  void wrongFieldCountNamesTheCountsAllowed(String expression) {
    assertThatThrownBy(() -> Schedule.parse(expression, ""))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("has " + expression.split(" ").length + " fields")
        .hasMessageContaining("5 cron fields")
        .hasMessageContaining("6 cron fields");
  }

  @Test
  void outOfRangeValueIsNamedInTheMessage() {
    assertThatThrownBy(() -> Schedule.parse("60 * * * *", ""))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessage("invalid cron expression '60 * * * *': Value 60 not in range [0, 59]"
            + " (fields: minute hour day-of-month month day-of-week)");
  }

  @ParameterizedTest
  @ValueSource(strings = {"* * * * FOO", "0 0 ? * MON", "0 0 L * *", "x y z w v", "*/0 * * * *", "5-1 * * * *"})
  void malformedCronIsRejectedWithTheExpression(String expression) {
    assertThatThrownBy(() -> Schedule.parse(expression, ""))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageStartingWith("invalid cron expression '" + expression + "'");
  }

  @Test
  void unknownMacroListsTheMacrosAllowed() {
    assertThatThrownBy(() -> Schedule.parse("@reboot", ""))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("unknown macro '@reboot'")
        .hasMessageContaining("@hourly")
        .hasMessageContaining("@every <duration>");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void emptyScheduleIsRejected(String expression) {
    assertThatThrownBy(() -> Schedule.parse(expression, ""))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageStartingWith("schedule is empty");
  }

  @Test
  void scheduleThatCanNeverFireIsRejected() {
    assertThatThrownBy(() -> Schedule.parse("0 0 30 2 *", ""))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageContaining("never fires");
  }

  @Test
  void cronIsEvaluatedInTheScheduleZone() {
    Schedule s = Schedule.parse("0 9 * * *", "Asia/Tokyo");
    assertThat(s.nextAfter(at("2026-06-01T12:00:00Z"))).contains(at("2026-06-02T00:00:00Z"));
  }

  @Test
  void emptyOrMissingZoneMeansUtc() {
    assertThat(Schedule.parse("0 9 * * *", "").zone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(Schedule.parse("0 9 * * *", null).zone()).isEqualTo(ZoneId.of("UTC"));
    assertThat(Schedule.parse("0 9 * * *", null).nextAfter(at("2026-06-01T00:00:00Z")))
        .contains(at("2026-06-01T09:00:00Z"));
  }

  @Test
  void unknownZoneIsRejectedWithAnExample() {
    assertThatThrownBy(() -> Schedule.parse("0 9 * * *", "Mars/Olympus"))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessage("unknown time zone 'Mars/Olympus': use an IANA zone id such as Europe/Berlin or UTC");
  }

  @ParameterizedTest
  @ValueSource(strings = {"+02:00", "Z", "UTC+2", "PST", "europe/berlin"})
  void fixedOffsetsAbbreviationsAndMiscasedIdsAreNotZones(String zone) {
    assertThatThrownBy(() -> Schedule.parse("0 9 * * *", zone))
        .isInstanceOf(InvalidScheduleException.class)
        .hasMessageStartingWith("unknown time zone '" + zone + "'");
  }

  @Test
  void expressionIsKeptAsGiven() {
    Schedule s = Schedule.parse("@daily", "Europe/Berlin");
    assertThat(s.expression()).isEqualTo("@daily");
    assertThat(s.zone()).isEqualTo(ZoneId.of("Europe/Berlin"));
  }

  @Test
  void aSlotIsExactlyAnInstantTheScheduleFiresAt() {
    Schedule s = Schedule.parse("*/5 * * * *", "");
    assertThat(s.isSlot(at("2026-01-01T10:05:00Z"))).isTrue();
    assertThat(s.isSlot(at("2026-01-01T10:06:00Z"))).isFalse();
  }

  @Test
  void anInstantWithAFractionOfASecondIsNeverASlot() {
    assertThat(Schedule.parse("*/5 * * * *", "").isSlot(at("2026-01-01T10:05:00.001Z"))).isFalse();
    assertThat(Schedule.parse("@every 1s", "").isSlot(at("2026-01-01T10:05:00.001Z"))).isFalse();
  }

  @Test
  void countSlotsExcludesTheStartAndIncludesTheEnd() {
    Schedule s = Schedule.parse("*/5 * * * *", "");
    assertThat(s.countSlots(at("2026-01-01T10:00:00Z"), at("2026-01-01T11:00:00Z"), 100)).isEqualTo(12);
  }

  @Test
  void countSlotsStopsAtTheLimit() {
    Schedule s = Schedule.parse("* * * * * *", "");
    assertThat(s.countSlots(at("2026-01-01T00:00:00Z"), at("2027-01-01T00:00:00Z"), 5)).isEqualTo(5);
  }

  @Test
  void countSlotsIsZeroForAnEmptyInterval() {
    Schedule s = Schedule.parse("* * * * *", "");
    assertThat(s.countSlots(at("2026-01-01T00:00:00Z"), at("2026-01-01T00:00:00Z"), 10)).isZero();
    assertThat(s.countSlots(at("2026-01-01T01:00:00Z"), at("2026-01-01T00:00:00Z"), 10)).isZero();
  }

  @Test
  void countSlotsForEveryIsArithmeticOverLongSpans() {
    Schedule s = Schedule.parse("@every 10s", "");
    assertThat(s.countSlots(at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:00Z"), Long.MAX_VALUE))
        .isEqualTo(8640);
    assertThat(s.countSlots(at("1000-01-01T00:00:00Z"), at("3000-01-01T00:00:00Z"), 1_000)).isEqualTo(1_000);
  }

  @Test
  void countSlotsForEveryHandlesFractionsAndTheEpoch() {
    Schedule s = Schedule.parse("@every 30s", "");
    // Slots -60, -30, 0, 30 and 60 lie in (-60.5s, 60.5s].
    assertThat(s.countSlots(Instant.ofEpochSecond(-61, 500_000_000), Instant.ofEpochSecond(60, 500_000_000), 100))
        .isEqualTo(5);
  }

  @Test
  void nextAfterIsEmptyWhenInstantsRunOut() {
    assertThat(Schedule.parse("@every 1s", "").nextAfter(Instant.MAX)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "*/5 * * * *        | every 5 minutes",
        "@every 1m30s       | every 1m30s",
        "@at 2026-12-24T18:00:00+01:00 | once, at 2026-12-24T17:00:00Z",
      })
  void describesTheScheduleInWords(String expression, String words) {
    assertThat(Schedule.parse(expression, "UTC").describe()).isEqualTo(words);
  }

  @Test
  void describesMacrosAndWeekdaysThroughTheCronDescriptor() {
    assertThat(Schedule.parse("@daily", "UTC").describe()).contains("00:00");
    assertThat(Schedule.parse("0 9 * * MON-FRI", "UTC").describe()).contains("09:00").contains("Monday").contains("Friday");
  }

  @Test
  void aScheduleIsParsedOnceForTheSameExpressionZoneAndDaylightSavingOptions() {
    Schedule first = Schedule.parse("*/5 * * * *", "Europe/Berlin", Schedule.Gap.SKIP, Schedule.Repeat.ONCE);

    assertThat(Schedule.parse(new String("*/5 * * * *"), new String("Europe/Berlin"), Schedule.Gap.SKIP,
        Schedule.Repeat.ONCE)).isSameAs(first);
    assertThat(Schedule.parse("*/5 * * * *", "Europe/Berlin", Schedule.Gap.SHIFT, Schedule.Repeat.ONCE))
        .isNotSameAs(first);
    assertThat(Schedule.parse("*/5 * * * *", "Europe/Berlin", Schedule.Gap.SKIP, Schedule.Repeat.TWICE))
        .isNotSameAs(first);
    assertThat(Schedule.parse("*/5 * * * *", "UTC", Schedule.Gap.SKIP, Schedule.Repeat.ONCE)).isNotSameAs(first);
  }
}
