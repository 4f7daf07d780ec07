package io.raftcron.sm.store;

import io.raftcron.proto.Job;
import io.raftcron.proto.NodeInfo;
import io.raftcron.proto.Run;
import io.raftcron.proto.SkippedSlots;
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

  public void putRun(Run run) {
    put(Family.RUNS, runKey(run), run.toByteArray());
  }

  public void enqueue(Run run) {
    put(Family.QUEUE, Keys.queue(Times.toInstant(run.getSlot()), runKey(run)), EMPTY);
  }

  public void dequeue(Run run) {
    delete(Family.QUEUE, Keys.queue(Times.toInstant(run.getSlot()), runKey(run)));
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

  public void putNode(NodeInfo node) {
    put(Family.META, Keys.node(node.getNodeId()), node.toByteArray());
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
