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
 * ms), start time (epoch micros), node. Written by the job itself as it starts, flushed when the
 * node stops; the coordinator reads every node's file to count fires, duplicates and lateness.
 */
final class FireLog implements AutoCloseable {
  private final BufferedWriter out;
  private final String node;

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
    long micros = now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
    try {
      out.write(job + " " + slot.toEpochMilli() + " " + micros + " " + node + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
