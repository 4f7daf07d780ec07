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

  public WorkerTracker(InstantSource clock) {
    this.clock = clock;
  }

  public void seen(String worker) {
    lastSeen.put(worker, clock.instant());
  }

  /** Workers heard from within {@link #CONNECTED_WINDOW}; forgets older ones. */
  public int connected() {
    Instant cutoff = clock.instant().minus(CONNECTED_WINDOW);
    lastSeen.values().removeIf(at -> at.isBefore(cutoff));
    return lastSeen.size();
  }

  /** When the last worker was heard from, if one was within the window. */
  public Optional<Instant> lastContact() {
    connected();
    return lastSeen.values().stream().max(Instant::compareTo);
  }

  /** Leadership moved: the workers will reconnect to the new leader. */
  void clear() {
    lastSeen.clear();
  }
}
