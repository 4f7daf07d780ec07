package io.raftcron.sm.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class SchedulePropertiesTest {
  private static final List<String> EXPRESSIONS = List.of("*/5 * * * *", "30 2 * * *", "0 * * * *",
      "*/20 * * * * *", "0 9 * * MON-FRI", "0 0 13 * FRI", "0,30 2-3 * * *", "15 * * * * *", "@every 90s",
      "@every 1h");
  private static final List<String> ZONES =
      List.of("UTC", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata");

  @Property(tries = 2000)
  void isSlotAgreesWithNextAfter(@ForAll("schedules") Schedule s, @ForAll("instants") Instant t) {
    // Check both an arbitrary whole second and an instant known to be a slot.
    Instant second = Instant.ofEpochSecond(t.getEpochSecond());
    Instant slot = s.nextAfter(t).orElseThrow();
    for (Instant candidate : List.of(second, slot)) {
      assertThat(s.isSlot(candidate)).isEqualTo(s.nextAfter(candidate.minusNanos(1)).equals(Optional.of(candidate)));
    }
  }

  @Property(tries = 2000)
  void nextAfterIsTheFirstSlotWhereverTheSearchStarts(
      @ForAll("schedules") Schedule s, @ForAll("instants") Instant t) {
    Instant next = s.nextAfter(t).orElseThrow();
    assertThat(next).isAfter(t);
    assertThat(next.getNano()).isZero();
    assertThat(s.isSlot(next)).isTrue();
    // Any start between t and the slot finds the same slot, so there is no slot in between.
    Instant middle = t.plus(Duration.between(t, next).dividedBy(2));
    assertThat(s.nextAfter(middle)).contains(next);
    assertThat(s.nextAfter(next.minusNanos(1))).contains(next);
    assertThat(s.countSlots(t, next, 10)).isEqualTo(1);
  }

  @Provide
  Arbitrary<Schedule> schedules() {
    return Combinators.combine(Arbitraries.of(EXPRESSIONS), Arbitraries.of(ZONES)).as(Schedule::parse);
  }

  /** Anywhere from 1970 to 2100, or within three hours of a 2026 DST transition; half with nanoseconds. */
  @Provide
  Arbitrary<Instant> instants() {
    Arbitrary<Instant> anywhere = Arbitraries.longs()
        .between(0, Instant.parse("2100-01-01T00:00:00Z").getEpochSecond())
        .map(Instant::ofEpochSecond);
    Arbitrary<Instant> nearTransition = Combinators.combine(
            Arbitraries.of(transitionsIn2026()), Arbitraries.longs().between(-3 * 3600, 3 * 3600))
        .as(Instant::plusSeconds);
    Arbitrary<Integer> nanos = Arbitraries.oneOf(Arbitraries.just(0), Arbitraries.integers().between(1, 999_999_999));
    return Combinators.combine(Arbitraries.oneOf(anywhere, nearTransition), nanos).as(Instant::plusNanos);
  }

  private static List<Instant> transitionsIn2026() {
    List<Instant> result = new ArrayList<>();
    for (String zone : ZONES) {
      ZoneRules rules = ZoneId.of(zone).getRules();
      ZoneOffsetTransition tr = rules.nextTransition(Instant.parse("2026-01-01T00:00:00Z"));
      while (tr != null && tr.getInstant().isBefore(Instant.parse("2027-01-01T00:00:00Z"))) {
        result.add(tr.getInstant());
        tr = rules.nextTransition(tr.getInstant());
      }
    }
    return result;
  }
}
