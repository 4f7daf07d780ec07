package io.raftcron.sm.store;

import com.google.protobuf.Timestamp;
import io.raftcron.proto.Job;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The most recently used jobs of a store, parsed, at their committed version. Every fire reads its
 * job on the leader when planning and once on every replica when applied, and parsing was most of
 * that. A reader offers what it read together with the generation it saw before
 * reading; a commit that wrote jobs moves the generation on, so a read that raced with it is not
 * cached over the newer version.
 *
 * <p>A fire moves only its job's cursor and counters: the cache updates them in place and builds
 * the job again when it is next read, instead of keeping the Job object the fire made. Each of
 * those lived until the job's next fire, a second for an every-second job, so every young GC found
 * a second's worth of them alive and copied them.
 */
final class JobCache {
  /** A cached job: the job as last written whole, and its cursor and counters as last committed. */
  private static final class Entry {
    private final Job written;
    private long cursorSeconds;
    private int cursorNanos;
    private long firedCount;
    private long skippedCount;
    /** The job as it is now, once asked for; null after the cursor moved. */
    private Job current;

    Entry(Job job) {
      this.written = job;
      moveCursor(job);
      this.current = job;
    }

    void moveCursor(Job job) {
      cursorSeconds = job.getCursor().getSeconds();
      cursorNanos = job.getCursor().getNanos();
      firedCount = job.getFiredCount();
      skippedCount = job.getSkippedCount();
      current = null;
    }

    Job current() {
      if (current == null) {
        current =
            written.toBuilder()
                .setCursor(Timestamp.newBuilder().setSeconds(cursorSeconds).setNanos(cursorNanos))
                .setFiredCount(firedCount)
                .setSkippedCount(skippedCount)
                .build();
      }
      return current;
    }
  }

  private final Map<String, Entry> jobs;
  private long generation;

  JobCache(int capacity) {
    this.jobs =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized Job get(String name) {
    Entry entry = jobs.get(name);
    return entry == null ? null : entry.current();
  }

  synchronized long generation() {
    return generation;
  }

  /** Caches {@code job}, read from the store after {@link #generation} returned {@code readAt}. */
  synchronized void offer(String name, Job job, long readAt) {
    if (readAt == generation) {
      jobs.put(name, new Entry(job));
    }
  }

  /**
   * A commit wrote these jobs (a null value: deleted): those {@code writtenWhole} accepts as a whole,
   * the others only their cursor record, so that the rest of them is as cached.
   */
  synchronized void committed(Map<String, Job> written, Predicate<String> writtenWhole) {
    generation++;
    written.forEach(
        (name, job) -> {
          if (job == null) {
            jobs.remove(name);
            return;
          }
          Entry cached = jobs.get(name);
          if (cached != null && !writtenWhole.test(name)) {
            cached.moveCursor(job);
          } else {
            jobs.put(name, new Entry(job));
          }
        });
  }

  /** The whole store changed (a snapshot was installed). */
  synchronized void clear() {
    generation++;
    jobs.clear();
  }
}
