package io.raftcron.sm;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunIdsTest {
  private static final Instant SLOT = Instant.parse("2026-11-25T06:00:02Z");

  @Test
  void anIdIsAlwaysFormattedTheSameWayWhateverTextWasParsedBefore() {
    assertThat(RunIds.of("a", SLOT)).isEqualTo("a@2026-11-25T06:00:02Z");

    // A client may name the same slot differently; parsing it must not change how ids are written.
    assertThat(RunIds.parse("b@2026-11-25T06:00:02.000Z")).isEqualTo(new RunIds.RunRef("b", SLOT));
    assertThat(RunIds.of("b", SLOT)).isEqualTo("b@2026-11-25T06:00:02Z");
    assertThat(RunIds.of("c", SLOT.plusSeconds(1))).isEqualTo("c@2026-11-25T06:00:03Z");
  }

  @Test
  void parsingTheSameSlotForManyJobsGivesEachItsOwnJob() {
    assertThat(RunIds.parse("a@2026-11-25T06:00:02Z")).isEqualTo(new RunIds.RunRef("a", SLOT));
    assertThat(RunIds.parse("b@2026-11-25T06:00:02Z")).isEqualTo(new RunIds.RunRef("b", SLOT));
    assertThat(RunIds.parse("m@2026-11-25T06:00:02.417Z~m-x"))
        .isEqualTo(new RunIds.RunRef("m", Instant.parse("2026-11-25T06:00:02.417Z")));
    assertThat(RunIds.parse("bad@2026-13-25T06:00:02Z")).isNull();
  }

  @Test
  void aSlotOutsideTheYears1970To9999NamesNoRun() {
    assertThat(RunIds.parse("x@+300000000-01-01T00:00:00Z")).isNull(); // its key's milliseconds would overflow
    assertThat(RunIds.parse("x@+10000-01-01T00:00:00Z")).isNull();
    assertThat(RunIds.parse("x@1969-12-31T23:59:59Z")).isNull();
    assertThat(RunIds.parse("x@9999-12-31T23:59:59Z")).isEqualTo(new RunIds.RunRef("x", Instant.parse("9999-12-31T23:59:59Z")));
  }
}
