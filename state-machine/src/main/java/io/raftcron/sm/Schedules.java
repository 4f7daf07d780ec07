package io.raftcron.sm;

import io.raftcron.proto.DstGapPolicy;
import io.raftcron.proto.JobSpec;
import io.raftcron.sm.schedule.Schedule;

/** The schedule of a job spec, with the spec's daylight-saving options. */
public final class Schedules {
  private Schedules() {}

  /** The spec's gap option; unspecified means shift. */
  public static Schedule.Gap gap(JobSpec spec) {
    return spec.getDstGap() == DstGapPolicy.DST_SKIP ? Schedule.Gap.SKIP : Schedule.Gap.SHIFT;
  }

  /** The spec's repeated-time option; unspecified depends on the schedule (see Schedule.Repeat.AUTO). */
  public static Schedule.Repeat repeat(JobSpec spec) {
    return switch (spec.getDstOverlap()) {
      case DST_ONCE -> Schedule.Repeat.ONCE;
      case DST_TWICE -> Schedule.Repeat.TWICE;
      default -> Schedule.Repeat.AUTO;
    };
  }

  /** The spec's schedule (parsed once and kept, see Schedule.parse); the spec must be valid (see JobSpecValidator). */
  public static Schedule of(JobSpec spec) {
    return Schedule.parse(spec.getSchedule(), spec.getTimeZone(), gap(spec), repeat(spec));
  }
}
