package io.raftcron.sm.planner;

import io.raftcron.proto.Job;
import io.raftcron.proto.PreviewJobResponse;
import io.raftcron.proto.PreviewSlot;
import io.raftcron.sm.Schedules;
import io.raftcron.sm.Times;
import io.raftcron.sm.schedule.Schedule;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/** The next slots a job will decide, in UTC and in its zone, with DST-affected slots noted. */
public final class SlotPreview {
  public static final int DEFAULT_COUNT = 10;
  public static final int MAX_COUNT = 1000;

  private SlotPreview() {}

  /** Up to {@code count} slots after the job's cursor and inside its bounds. */
  public static PreviewJobResponse preview(Job job, int count) {
    Schedule schedule = Schedules.of(job.getSpec());
    PreviewJobResponse.Builder out =
        PreviewJobResponse.newBuilder().setTimeZone(schedule.zone().getId());
    Instant end = job.getSpec().hasEndAt() ? Times.toInstant(job.getSpec().getEndAt()) : null;
    Instant previous = Times.toInstant(job.getCursor());
    Optional<Instant> next = FirePlanner.nextSlot(job);
    while (next.isPresent() && out.getSlotsCount() < count && (end == null || !next.get().isAfter(end))) {
      Instant slot = next.get();
      PreviewSlot.Builder p =
          PreviewSlot.newBuilder()
              .setSlot(Times.toTimestamp(slot))
              .setLocalTime(slot.atZone(schedule.zone()).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
      schedule.dstNote(previous, slot).ifPresent(p::setDstNote);
      out.addSlots(p);
      previous = slot;
      next = schedule.nextAfter(slot);
    }
    return out.build();
  }
}
