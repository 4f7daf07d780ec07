package io.raftcron.sm;

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

  /** The spec's schedule; the spec must be valid (see JobSpecValidator). */
  public static Schedule of(JobSpec spec) {
    String key = spec.getTimeZone() + '\n' + spec.getSchedule();
    synchronized (CACHE) {
      Schedule cached = CACHE.get(key);
      if (cached != null) {
        return cached;
      }
    }
    Schedule parsed = Schedule.parse(spec.getSchedule(), spec.getTimeZone());
    synchronized (CACHE) {
      CACHE.put(key, parsed);
    }
    return parsed;
  }
}
