package io.raftcron.sm.store;

import java.time.Instant;

/**
 * The key of the run a command is working on, computed once: a fire writes the run, its queue and
 * its active entry, a grant or a completion reads the run and then writes it and its queue, lease or
 * retry entries, all under the same key (building it takes several allocations). One entry is
 * enough because a handler finishes with one run before it turns to the next. The key's bytes are
 * shared by those who asked for it: nobody may change them.
 */
final class RunKeyMemo {
  private String job;
  private long slotMillis;
  private byte[] key;

  byte[] of(String job, Instant slot) {
    long millis = slot.toEpochMilli(); // first: a slot out of range throws whether remembered or not
    if (key == null || millis != slotMillis || !job.equals(this.job)) {
      key = Keys.jobTime(job, millis);
      this.job = job;
      slotMillis = millis;
    }
    return key;
  }
}
