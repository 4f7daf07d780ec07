package io.raftcron.sm.planner;

import io.raftcron.sm.AppliedStoreTest;
import static io.raftcron.sm.TestCommands.backfill;
import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.decide;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.pause;
import static io.raftcron.sm.TestCommands.skipDecision;
import static io.raftcron.sm.TestCommands.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Command;
import io.raftcron.proto.DstGapPolicy;
import io.raftcron.proto.DstOverlapPolicy;
import io.raftcron.proto.Job;
import io.raftcron.proto.OverlapPolicy;
import io.raftcron.proto.PreviewJobResponse;
import io.raftcron.proto.PreviewSlot;
import io.raftcron.proto.SlotExplanation;
import io.raftcron.proto.SlotVerdict;
import io.raftcron.sm.TestCommands;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** "Why didn't it run?" for every kind of slot, and the preview of the next slots with DST notes. */
class SlotExplainerTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private static final String TENS = "tens";


  private SlotExplanation explain(int seconds, Instant now) {
    return SlotExplainer.explain(store, TENS, T0.plusSeconds(seconds), now).orElseThrow();
  }

  @Test
  void everyVerdict() {
    apply(create(T0, spec(TENS, "*/10 * * * * *").toBuilder()
        .setEndAt(Times.toTimestamp(T0.plusSeconds(500)))
        .setOverlap(OverlapPolicy.FORBID)
        .build()));
    apply(fire(T0.plusSeconds(10), TENS, T0.plusSeconds(10)));
    apply(fire(T0.plusSeconds(20), TENS, T0.plusSeconds(20))); // SKIPPED run: 10 is still queued
    apply(decide(T0.plusSeconds(45), skipDecision(TENS, T0.plusSeconds(40), 2, "missed: misfire policy skip")));
    Instant now = T0.plusSeconds(55);

    SlotExplanation fired = explain(10, now);
    assertThat(fired.getVerdict()).isEqualTo(SlotVerdict.FIRED);
    assertThat(fired.getRun().getRunId()).isEqualTo("tens@2026-03-01T10:00:10Z");
    assertThat(fired.getMessage()).contains("by n1 in term 1 at log index 2");

    SlotExplanation overlap = explain(20, now);
    assertThat(overlap.getVerdict()).isEqualTo(SlotVerdict.SKIPPED_SLOT);
    assertThat(overlap.getMessage()).contains("overlap: policy forbid");

    SlotExplanation missed = explain(30, now);
    assertThat(missed.getVerdict()).isEqualTo(SlotVerdict.SKIPPED_SLOT);
    assertThat(missed.getSkipped().getCount()).isEqualTo(2);
    assertThat(missed.getMessage()).contains("misfire policy skip");

    assertThat(explain(50, now).getVerdict()).isEqualTo(SlotVerdict.PENDING);
    assertThat(explain(60, now).getVerdict()).isEqualTo(SlotVerdict.NOT_YET_DUE);
    assertThat(explain(15, now).getVerdict()).isEqualTo(SlotVerdict.OUTSIDE_SCHEDULE);
    assertThat(explain(15, now).getMessage()).contains("next slot after it is 2026-03-01T10:00:20Z");
    assertThat(explain(-10, now).getVerdict()).isEqualTo(SlotVerdict.BEFORE_JOB);
    assertThat(explain(0, now).getVerdict()).isEqualTo(SlotVerdict.BEFORE_JOB);
    assertThat(explain(510, now).getVerdict()).isEqualTo(SlotVerdict.AFTER_END);

    apply(pause(T0.plusSeconds(56), TENS));
    assertThat(explain(50, now).getVerdict()).isEqualTo(SlotVerdict.PAUSED_PENDING);
    assertThat(SlotExplainer.explain(store, "ghost", T0, now)).isEmpty();
  }

  @Test
  void aBackfilledSlotIsExplainedAsFiredByABackfill() {
    apply(create(T0, spec(TENS, "*/10 * * * * *")));
    apply(backfill(T0.plusSeconds(1), TENS, T0.minusSeconds(10)));

    SlotExplanation e = explain(-10, T0.plusSeconds(2));

    assertThat(e.getVerdict()).isEqualTo(SlotVerdict.FIRED);
    assertThat(e.getMessage()).contains("by a backfill");
  }

  @Test
  void aSlotBeforeTheStartBoundIsBeforeTheJob() {
    apply(create(T0, spec(TENS, "*/10 * * * * *").toBuilder()
        .setStartAt(Times.toTimestamp(T0.plusSeconds(100))).build()));

    SlotExplanation e = explain(50, T0.plusSeconds(60));

    assertThat(e.getVerdict()).isEqualTo(SlotVerdict.BEFORE_JOB);
    assertThat(e.getMessage()).contains("start bound");
  }

  // ---- preview ----

  private static Job job(String schedule, String zone, DstGapPolicy gap, DstOverlapPolicy overlap, Instant cursor) {
    return Job.newBuilder()
        .setSpec(TestCommands.spec("dst", schedule).toBuilder()
            .setTimeZone(zone).setDstGap(gap).setDstOverlap(overlap))
        .setCursor(Times.toTimestamp(cursor))
        .build();
  }

  @Test
  void previewShowsTheNextSlotsInUtcAndInTheZoneAndMarksTheSpringForwardShiftInBerlin() {
    Job job = job("30 2 * * *", "Europe/Berlin", DstGapPolicy.DST_SHIFT, DstOverlapPolicy.DST_OVERLAP_POLICY_UNSPECIFIED,
        Instant.parse("2026-03-27T12:00:00Z"));

    PreviewJobResponse preview = SlotPreview.preview(job, 3);

    assertThat(preview.getTimeZone()).isEqualTo("Europe/Berlin");
    assertThat(preview.getSlotsList()).extracting(PreviewSlot::getLocalTime).containsExactly(
        "2026-03-28T02:30:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-30T02:30:00+02:00");
    assertThat(preview.getSlots(1).getSlot()).isEqualTo(Times.toTimestamp(Instant.parse("2026-03-29T01:00:00Z")));
    assertThat(preview.getSlots(0).getDstNote()).isEmpty();
    assertThat(preview.getSlots(1).getDstNote()).contains("shifted");
    assertThat(preview.getSlots(2).getDstNote()).isEmpty();
  }

  @Test
  void previewMarksBothOccurrencesOfTheRepeatedHourInNewYork() {
    Job job = job("30 1 * * *", "America/New_York", DstGapPolicy.DST_SHIFT, DstOverlapPolicy.DST_TWICE,
        Instant.parse("2026-10-31T12:00:00Z"));

    PreviewJobResponse preview = SlotPreview.preview(job, 3);

    assertThat(preview.getSlotsList()).extracting(PreviewSlot::getLocalTime).containsExactly(
        "2026-11-01T01:30:00-04:00", "2026-11-01T01:30:00-05:00", "2026-11-02T01:30:00-05:00");
    assertThat(preview.getSlots(0).getDstNote()).contains("first occurrence");
    assertThat(preview.getSlots(1).getDstNote()).contains("second occurrence");
    assertThat(preview.getSlots(2).getDstNote()).isEmpty();
  }

  @Test
  void previewMarksASkippedGapOnTheSlotAfterIt() {
    Job job = job("30 2 * * *", "America/New_York", DstGapPolicy.DST_SKIP, DstOverlapPolicy.DST_OVERLAP_POLICY_UNSPECIFIED,
        Instant.parse("2026-03-07T12:00:00Z"));

    PreviewJobResponse preview = SlotPreview.preview(job, 2);

    assertThat(preview.getSlotsList()).extracting(PreviewSlot::getLocalTime).containsExactly(
        "2026-03-09T02:30:00-04:00", "2026-03-10T02:30:00-04:00");
    assertThat(preview.getSlots(0).getDstNote()).contains("did not run");
  }

  @Test
  void previewStopsAtTheEndBoundAndAnAtJobHasOneSlot() {
    Job once = job("@at 2026-12-24T18:00:00+01:00", "Europe/Berlin", DstGapPolicy.DST_SHIFT,
        DstOverlapPolicy.DST_OVERLAP_POLICY_UNSPECIFIED, T0);
    assertThat(SlotPreview.preview(once, 10).getSlotsList()).extracting(PreviewSlot::getLocalTime)
        .containsExactly("2026-12-24T18:00:00+01:00");

    Job bounded = job("0 * * * *", "UTC", DstGapPolicy.DST_SHIFT, DstOverlapPolicy.DST_OVERLAP_POLICY_UNSPECIFIED, T0);
    bounded = bounded.toBuilder().setSpec(bounded.getSpec().toBuilder()
        .setEndAt(Times.toTimestamp(T0.plusSeconds(3 * 3600)))).build();
    assertThat(SlotPreview.preview(bounded, 10).getSlotsCount()).isEqualTo(3);
  }
}
