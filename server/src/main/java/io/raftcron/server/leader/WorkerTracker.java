package io.raftcron.server.leader;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The workers this node has heard from as leader (a poll or a heartbeat), with when. Workers talk
 * to the leader only (followers forward), so a follower knows none. Safe from any thread.
 */
public final class WorkerTracker {
  /** Longer than a worker's default long poll (20 s), so an idle, polling worker stays connected. */
  public static final Duration CONNECTED_WINDOW = Duration.ofSeconds(30);

  private final InstantSource clock;
  private final Map<String, Instant> lastSeen = new ConcurrentHashMap<>();
  private volatile Instant lastContact;

  public WorkerTracker(InstantSource clock) {
    this.clock = clock;
  }

  public void seen(String worker) {
    Instant now = clock.instant();
    lastSeen.put(worker, now);
    lastContact = now;
  }

  /** Workers heard from within {@link #CONNECTED_WINDOW}; forgets older ones. */
  public int connected() {
    Instant cutoff = clock.instant().minus(CONNECTED_WINDOW);
    lastSeen.values().removeIf(at -> at.isBefore(cutoff));
    return lastSeen.size();
  }

  /** When a worker was last heard from while this node leads. */
  public Optional<Instant> lastContact() {
    return Optional.ofNullable(lastContact);
  }

  /** Leadership moved: the workers will reconnect to the new leader. */
  void clear() {
    lastSeen.clear();
    lastContact = null;
  }
}
