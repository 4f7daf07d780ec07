package io.raftcron.sm.store;

import io.raftcron.proto.Alert;
import io.raftcron.proto.Job;
import io.raftcron.proto.NodeInfo;
import io.raftcron.proto.Run;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The effects of one command, buffered: reads see the command's own earlier writes, and nothing
 * reaches the store until {@link SchedulerStore#commit} writes them all with the applied index.
 */
public final class StoreBatch {
  /** One buffered put, or a delete when {@code value} is null. */
  record Write(Family family, byte[] key, byte[] value) {}

  private static final byte[] EMPTY = new byte[0];
  private static final byte[] DELETED = new byte[0];

  private final SchedulerStore store;
  private final Map<Family, Map<ByteBuffer, byte[]>> overlay = new EnumMap<>(Family.class);
  private final Map<ByteBuffer, Write> writes = new LinkedHashMap<>();

  StoreBatch(SchedulerStore store) {
    this.store = store;
  }

  public Optional<Job> job(String name) {
    return Optional.ofNullable(SchedulerStore.parse(get(Family.JOBS, Keys.job(name)), Job.parser()));
  }

  /** How many jobs the committed store holds, counting at most {@code limit}. */
  public int jobCount(int limit) {
    return store.keys(Family.JOBS, new byte[0], limit).size();
  }

  public void putJob(Job job) {
    put(Family.JOBS, Keys.job(job.getSpec().getName()), job.toByteArray());
  }

  public void deleteJob(String name) {
    delete(Family.JOBS, Keys.job(name));
  }

  public Optional<Run> run(String job, Instant slot) {
    return Optional.ofNullable(
        SchedulerStore.parse(get(Family.RUNS, Keys.jobTime(job, slot)), Run.parser()));
  }

  /** As {@link SchedulerStore#run(String)}, as this batch sees it. */
  public Optional<Run> run(String runId) {
    RunIds.RunRef ref = RunIds.parse(runId);
    return ref == null ? Optional.empty() : run(ref.job(), ref.slot());
  }

  public void putRun(Run run) {
    put(Family.RUNS, runKey(run), run.toByteArray());
  }

  public void enqueue(Run run) {
    put(Family.QUEUE, Keys.queue(Times.toInstant(run.getSlot()), runKey(run)), EMPTY);
  }

  public void dequeue(Run run) {
    delete(Family.QUEUE, Keys.queue(Times.toInstant(run.getSlot()), runKey(run)));
  }

  public void scheduleRetry(Run run) {
    put(Family.RETRIES, Keys.queue(Times.toInstant(run.getNextAttemptAt()), runKey(run)), EMPTY);
  }

  public void unscheduleRetry(Run run) {
    delete(Family.RETRIES, Keys.queue(Times.toInstant(run.getNextAttemptAt()), runKey(run)));
  }

  public void addLease(Run run) {
    put(Family.LEASES, runKey(run), EMPTY);
  }

  public void removeLease(Run run) {
    delete(Family.LEASES, runKey(run));
  }

  public void putSkipped(SkippedSlots skipped) {
    put(
        Family.SKIPPED,
        Keys.jobTime(skipped.getJob(), Times.toInstant(skipped.getThrough())),
        skipped.toByteArray());
  }

  // ---- active runs, manual triggers, retention (schedule policies) ----

  /** Records a new run as possibly active for its job's overlap policy. */
  public void markActive(Run run) {
    put(Family.ACTIVE, runKey(run), EMPTY);
  }

  public void unmarkActive(Run run) {
    delete(Family.ACTIVE, runKey(run));
  }

  /**
   * The runs of {@code job} marked active, oldest slot first, as this batch sees them (its own
   * writes included), at most {@code limit}. Entries whose run finished are still listed: callers
   * check the run's state and drop them.
   */
  public List<Run> markedActive(String job, int limit) {
    byte[] prefix = Keys.jobPrefix(job);
    java.util.TreeSet<byte[]> keys = new java.util.TreeSet<>(java.util.Arrays::compareUnsigned);
    Map<ByteBuffer, byte[]> buffered = overlay.getOrDefault(Family.ACTIVE, Map.of());
    keys.addAll(store.keys(Family.ACTIVE, prefix, limit + buffered.size()));
    for (Map.Entry<ByteBuffer, byte[]> e : buffered.entrySet()) {
      byte[] key = new byte[e.getKey().remaining()];
      e.getKey().duplicate().get(key);
      if (!Keys.startsWith(key, prefix)) {
        continue;
      }
      if (e.getValue() == DELETED) {
        keys.remove(key);
      } else {
        keys.add(key);
      }
    }
    List<Run> runs = new ArrayList<>();
    for (byte[] key : keys) {
      if (runs.size() >= limit) {
        break;
      }
      Run run = SchedulerStore.parse(get(Family.RUNS, key), Run.parser());
      if (run == null) {
        delete(Family.ACTIVE, key); // purged or never written: nothing to hold back
      } else {
        runs.add(run);
      }
    }
    return runs;
  }

  /** The id of the run a manual trigger with this request id created, if it is still recorded. */
  public Optional<String> triggeredRun(String job, String requestId) {
    byte[] v = get(Family.TRIGGERS, Keys.trigger(job, requestId));
    return v == null ? Optional.empty() : Optional.of(new String(v, java.nio.charset.StandardCharsets.UTF_8));
  }

  public void putTrigger(String job, String requestId, String runId) {
    put(Family.TRIGGERS, Keys.trigger(job, requestId), Keys.utf8(runId));
  }

  /** Deletes a run with its queue, retry, lease, active and trigger entries. */
  public void deleteRun(Run run) {
    delete(Family.RUNS, runKey(run));
    delete(Family.QUEUE, Keys.queue(Times.toInstant(run.getSlot()), runKey(run)));
    if (run.hasNextAttemptAt()) {
      delete(Family.RETRIES, Keys.queue(Times.toInstant(run.getNextAttemptAt()), runKey(run)));
    }
    delete(Family.LEASES, runKey(run));
    delete(Family.ACTIVE, runKey(run));
    if (!run.getRequestId().isEmpty()) {
      delete(Family.TRIGGERS, Keys.trigger(run.getJob(), run.getRequestId()));
    }
  }

  public Optional<SkippedSlots> skipped(String job, Instant through) {
    return Optional.ofNullable(
        SchedulerStore.parse(get(Family.SKIPPED, Keys.jobTime(job, through)), SkippedSlots.parser()));
  }

  public void deleteSkipped(SkippedSlots skipped) {
    delete(Family.SKIPPED, Keys.jobTime(skipped.getJob(), Times.toInstant(skipped.getThrough())));
  }

  /**
   * The slot of the job's {@code n}-th newest run in the committed store (not this batch's writes),
   * empty if it has fewer runs. For commands that only delete old runs, whose writes cannot change it.
   */
  public Optional<Instant> committedNthNewestRunSlot(String job, int n) {
    return store.nthNewestTime(Family.RUNS, job, n);
  }

  /** As {@link #committedNthNewestRunSlot}, for the last slots of the job's skipped ranges. */
  public Optional<Instant> committedNthNewestSkippedThrough(String job, int n) {
    return store.nthNewestTime(Family.SKIPPED, job, n);
  }

  public Optional<Alert> alert(String id) {
    return Optional.ofNullable(SchedulerStore.parse(get(Family.ALERTS, Keys.utf8(id)), Alert.parser()));
  }

  public void putAlert(Alert alert) {
    put(Family.ALERTS, Keys.utf8(alert.getId()), alert.toByteArray());
  }

  public void putNode(NodeInfo node) {
    put(Family.META, Keys.node(node.getNodeId()), node.toByteArray());
  }

  public void deleteNode(String nodeId) {
    delete(Family.META, Keys.node(nodeId));
  }

  List<Write> writes() {
    return new ArrayList<>(writes.values());
  }

  private static byte[] runKey(Run run) {
    return Keys.jobTime(run.getJob(), Times.toInstant(run.getSlot()));
  }

  private byte[] get(Family family, byte[] key) {
    byte[] buffered = overlay.getOrDefault(family, Map.of()).get(ByteBuffer.wrap(key));
    if (buffered != null) {
      return buffered == DELETED ? null : buffered;
    }
    return store.get(family, key);
  }

  private void put(Family family, byte[] key, byte[] value) {
    record(family, key, value, value);
  }

  private void delete(Family family, byte[] key) {
    record(family, key, DELETED, null);
  }

  private void record(Family family, byte[] key, byte[] visible, byte[] written) {
    overlay.computeIfAbsent(family, f -> new LinkedHashMap<>()).put(ByteBuffer.wrap(key), visible);
    // Keyed by family and key: a later write to the same key replaces the earlier one.
    ByteBuffer id = ByteBuffer.allocate(key.length + 1).put((byte) family.ordinal()).put(key).flip();
    writes.remove(id);
    writes.put(id, new Write(family, key, written));
  }
}
