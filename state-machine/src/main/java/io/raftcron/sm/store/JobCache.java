package io.raftcron.sm.store;

import io.raftcron.proto.Job;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The most recently used jobs of a store, parsed, at their committed version. Every fire reads its
 * job twice on the leader (planning, then after the commit) and once on every replica, and parsing
 * was most of that. A reader offers what it read together with the generation it saw before
 * reading; a commit that wrote jobs moves the generation on, so a read that raced with it is not
 * cached over the newer version.
 */
final class JobCache {
  private final Map<String, Job> jobs;
  private long generation;

  JobCache(int capacity) {
    this.jobs =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Job> eldest) {
            return size() > capacity;
          }
        };
  }

  synchronized Job get(String name) {
    return jobs.get(name);
  }

  synchronized long generation() {
    return generation;
  }

  /** Caches {@code job}, read from the store after {@link #generation} returned {@code readAt}. */
  synchronized void offer(String name, Job job, long readAt) {
    if (readAt == generation) {
      jobs.put(name, job);
    }
  }

  /** A commit wrote these jobs (a null value: deleted). */
  synchronized void committed(Map<String, Job> written) {
    generation++;
    written.forEach(
        (name, job) -> {
          if (job == null) {
            jobs.remove(name);
          } else {
            jobs.put(name, job);
          }
        });
  }

  /** The whole store changed (a snapshot was installed). */
  synchronized void clear() {
    generation++;
    jobs.clear();
  }
}
