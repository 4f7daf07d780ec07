package io.raftcron.sm.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.raftcron.proto.Job;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A job as the store keeps it since data format 2: two records under the job's name. The jobs
 * family holds the {@link Job} without its cursor and counters (spec, version, created and updated
 * times, paused state), written by the commands that change those; the cursors family holds what
 * every fire and skip changes, so that a decision rewrites a small fixed record instead of the
 * whole spec. The cursor record, big-endian:
 *
 * <pre>
 *   cursor seconds    8 bytes  (google.protobuf.Timestamp seconds)
 *   cursor nanos      4 bytes
 *   fired_count       8 bytes
 *   skipped_count     8 bytes
 * </pre>
 *
 * Joined, the two records are exactly the Job a format-1 store held in one (same fields, same
 * bytes): a Job always has a cursor, set when it is created.
 */
final class JobRecords {
  static final int CURSOR_BYTES = 28;

  private JobRecords() {}

  /** The jobs family's record of {@code job}. */
  static byte[] withoutCursor(Job job) {
    return job.toBuilder().clearCursor().clearFiredCount().clearSkippedCount().build().toByteArray();
  }

  /** The cursors family's record of {@code job}. */
  static byte[] cursor(Job job) {
    return cursor(job.getCursor(), job.getFiredCount(), job.getSkippedCount());
  }

  static byte[] cursor(Timestamp cursor, long firedCount, long skippedCount) {
    return ByteBuffer.allocate(CURSOR_BYTES)
        .putLong(cursor.getSeconds())
        .putInt(cursor.getNanos())
        .putLong(firedCount)
        .putLong(skippedCount)
        .array();
  }

  /** The two records under {@code key} joined; a missing or malformed cursor record is a corrupt store. */
  static Job join(byte[] key, byte[] withoutCursor, byte[] cursor) {
    if (cursor == null || cursor.length != CURSOR_BYTES) {
      throw new StoreException("corrupt state store: job '" + new String(key, StandardCharsets.UTF_8) + "' has "
          + (cursor == null ? "no" : "a malformed") + " cursor record", null);
    }
    ByteBuffer record = ByteBuffer.wrap(cursor);
    Job.Builder job = Job.newBuilder();
    try {
      job.mergeFrom(withoutCursor);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt record in the state store", e);
    }
    return job.setCursor(Timestamp.newBuilder().setSeconds(record.getLong()).setNanos(record.getInt()))
        .setFiredCount(record.getLong())
        .setSkippedCount(record.getLong())
        .build();
  }
}
