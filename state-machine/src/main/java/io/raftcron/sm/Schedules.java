package io.raftcron.sm;

import io.raftcron.proto.DstGapPolicy;
import io.raftcron.proto.JobSpec;
import io.raftcron.sm.schedule.Schedule;
import java.util.LinkedHashMap;
import java.util.Map;

/** Parsed schedules of job specs, cached: parsing cron is far dearer than evaluating it. */
public final class Schedules {
  private static final int CAPACITY = 4096;

  private static final Map<String, Schedule> CACHE =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Schedule> eldest) {
          return size() > CAPACITY;
        }
      };

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

  /** The spec's schedule; the spec must be valid (see JobSpecValidator). */
  public static Schedule of(JobSpec spec) {
    Schedule.Gap gap = gap(spec);
    Schedule.Repeat repeat = repeat(spec);
    String key = spec.getTimeZone() + '\n' + spec.getSchedule() + '\n' + gap + '\n' + repeat;
    synchronized (CACHE) {
      Schedule cached = CACHE.get(key);
      if (cached != null) {
        return cached;
      }
    }
    Schedule parsed = Schedule.parse(spec.getSchedule(), spec.getTimeZone(), gap, repeat);
    synchronized (CACHE) {
      CACHE.put(key, parsed);
    }
    return parsed;
  }
}
