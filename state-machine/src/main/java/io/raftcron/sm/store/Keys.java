package io.raftcron.sm.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/**
 * Key layouts. Times are big-endian epoch milliseconds so that RocksDB's byte order is time
 * order; a job name is followed by a 0 byte, which names never contain, so prefixes are exact.
 */
final class Keys {
  static final byte[] APPLIED_INDEX = "applied_index".getBytes(StandardCharsets.UTF_8);
  static final byte[] FORMAT_VERSION = "format_version".getBytes(StandardCharsets.UTF_8);
  static final String NODE_PREFIX = "node/";

  private Keys() {}

  static byte[] job(String name) {
    return utf8(name);
  }

  /** Prefix of every key of a job in the runs and skipped families. */
  static byte[] jobPrefix(String job) {
    byte[] name = utf8(job);
    return ByteBuffer.allocate(name.length + 1).put(name).put((byte) 0).array();
  }

  /** Just past every key of a job in the runs and skipped families: where the next job's keys start. */
  static byte[] pastJob(String job) {
    byte[] key = jobPrefix(job);
    key[key.length - 1] = 1;
    return key;
  }

  /** runs / skipped: job 0 time. */
  static byte[] jobTime(String job, Instant t) {
    return jobTime(job, t.toEpochMilli());
  }

  static byte[] jobTime(String job, long epochMillis) {
    byte[] name = utf8(job);
    byte[] key = Arrays.copyOf(name, name.length + 1 + 8); // the copy's 0 byte after the name is the separator
    ByteBuffer.wrap(key, name.length + 1, 8).putLong(epochMillis);
    return key;
  }

  /** triggers: job 0 request id. */
  static byte[] trigger(String job, String requestId) {
    byte[] prefix = jobPrefix(job);
    byte[] id = utf8(requestId);
    return ByteBuffer.allocate(prefix.length + id.length).put(prefix).put(id).array();
  }

  /** The job name a runs / skipped / active / triggers key starts with. */
  static String jobOf(byte[] key) {
    int end = 0;
    while (end < key.length && key[end] != 0) {
      end++;
    }
    return new String(key, 0, end, StandardCharsets.UTF_8);
  }

  /** The time in a runs / skipped / active key. */
  static Instant timeOf(byte[] jobTimeKey) {
    return Instant.ofEpochMilli(ByteBuffer.wrap(jobTimeKey, jobTimeKey.length - 8, 8).getLong());
  }

  /** queue: due time, then the run key, so that the oldest due run comes first. */
  static byte[] queue(Instant due, byte[] runKey) {
    return ByteBuffer.allocate(8 + runKey.length).putLong(due.toEpochMilli()).put(runKey).array();
  }

  static byte[] runKeyOfQueueKey(byte[] queueKey) {
    byte[] runKey = new byte[queueKey.length - 8];
    System.arraycopy(queueKey, 8, runKey, 0, runKey.length);
    return runKey;
  }

  static byte[] node(String nodeId) {
    return utf8(NODE_PREFIX + nodeId);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] longBytes(long v) {
    return ByteBuffer.allocate(8).putLong(v).array();
  }

  static long longOf(byte[] b) {
    return ByteBuffer.wrap(b).getLong();
  }

  static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }
}
