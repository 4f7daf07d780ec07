package io.raftcron.bench.peers;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * A peer scheduler node's record of its executions, one line each: job, scheduled time (epoch
 * ms), start time (epoch micros), node. Written by the job itself as it starts and flushed at
 * least every {@link #FLUSH_NANOS}, so that a node that does not stop in time loses at most that
 * much; the coordinator reads every node's file to count fires, duplicates and lateness.
 */
final class FireLog implements AutoCloseable {
  private final BufferedWriter out;
  private static final long FLUSH_NANOS = 200_000_000L;

  private final String node;
  private long flushedAt = System.nanoTime();
  private boolean closed;

  FireLog(Path file, String node) {
    try {
      this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    this.node = node;
  }

  synchronized void fired(String job, Instant slot) {
    Instant now = Instant.now();
    if (closed) {
      return; // the node is stopping: the measurement is over
    }
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    try {
      out.write(job + " " + slot.toEpochMilli() + " " + micros + " " + node + "\n");
      if (System.nanoTime() - flushedAt > FLUSH_NANOS) {
        out.flush();
        flushedAt = System.nanoTime();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
