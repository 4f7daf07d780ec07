package io.raftcron.bench.peers;

import io.raftcron.bench.ChildProcesses;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;

/**
 * Two scheduler JVMs of one peer on a fresh schema: starts them, measures their CPU (and
 * PostgreSQL's, given its postmaster), stops them with SIGTERM (their shutdown hooks flush the
 * fire logs) and tallies the logs: a (job, slot) executed twice is a duplicate; lateness is
 * slot → job started.
 */
public final class PeerRun implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  /** What the window's slots saw. */
  /**
   * @param fires executions started in the window
   * @param windowSlotsExecuted the window's slots that executed (by the end of the run)
   */
  public record Tally(long fires, long windowSlotsExecuted, long duplicates, Histogram lateness) {}

  private final String scheduler;
  private final Database db;
  private final int jobs;
  private final Path dir;
  private final Long postgresPid;
  private final List<Process> nodes = new ArrayList<>();

  public PeerRun(String scheduler, String url, String user, String password, int jobs, Path dir, Long postgresPid) {
    this.scheduler = scheduler;
    this.db = new Database(url, user, password);
    this.jobs = jobs;
    this.dir = dir;
    this.postgresPid = postgresPid;
  }

  /** A fresh schema, then node 1 (which registers the jobs), then node 2. */
  public void startNodes() throws IOException {
    db.runScript(scheduler.equals("quartz")
        ? "/org/quartz/impl/jdbcjobstore/tables_postgres.sql"
        : "/peers/db-scheduler-postgresql.sql");
    for (int i = 1; i <= 2; i++) {
      String node = scheduler + "-" + i;
      Process p = ChildProcesses.start(new ProcessBuilder(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m", "-cp", System.getProperty("java.class.path"),
              PeerNode.class.getName(), scheduler, db.url(), db.user(), db.password(),
              String.valueOf(jobs), node, dir.resolve(node + ".log").toString())
          .redirectError(dir.resolve(node + ".stderr").toFile()));
      nodes.add(p);
      awaitReady(p, node);
    }
  }

  private void awaitReady(Process p, String node) throws IOException {
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException(node + " exited before it was ready; see " + dir.resolve(node + ".stderr")
            + ":\n" + Files.readString(dir.resolve(node + ".stderr")));
      }
      if (line.equals("ready")) {
        return;
      }
    }
    throw new IllegalStateException(node + " not ready within " + READY_TIMEOUT);
  }

  /** CPU time of both JVMs, and of PostgreSQL's postmaster and its current backends if known. */
  public double cpuSeconds() {
    List<ProcessHandle> handles = new ArrayList<>();
    nodes.forEach(p -> handles.add(p.toHandle()));
    if (postgresPid != null) {
      ProcessHandle.of(postgresPid).ifPresent(pg -> {
        handles.add(pg);
        pg.children().forEach(handles::add);
      });
    }
    return handles.stream()
        .mapToDouble(h -> h.info().totalCpuDuration().map(d -> d.toNanos() / 1e9).orElse(0.0))
        .sum();
  }

  /**
   * Stops both JVMs and tallies their logs. A peer that cannot keep up executes the window's
   * slots late or never, so throughput and lateness are taken from the executions that STARTED
   * inside [start, end), whatever their slot; missed slots are the window's slots that never
   * executed; a (job, slot) executed more than once anywhere in the logs is a duplicate.
   */
  public Tally stopAndTally(Instant start, Instant end) throws IOException {
    stop();
    Set<String> seen = new HashSet<>();
    long duplicates = 0;
    long started = 0;
    long windowSlotsExecuted = 0;
    Histogram lateness = new Histogram(3_600_000_000L, 3);
    long from = start.toEpochMilli() * 1000;
    long to = end.toEpochMilli() * 1000;
    try (Stream<Path> logs = Files.list(dir).filter(f -> f.toString().endsWith(".log"))) {
      for (Path log : logs.toList()) {
        for (String line : Files.readAllLines(log)) {
          String[] f = line.split(" ");
          long slotMs = Long.parseLong(f[1]);
          long startedMicros = Long.parseLong(f[2]);
          if (!seen.add(f[0] + "@" + slotMs)) {
            duplicates++;
            continue;
          }
          if (slotMs * 1000 >= from && slotMs * 1000 < to) {
            windowSlotsExecuted++;
          }
          if (startedMicros >= from && startedMicros < to) {
            started++;
            lateness.recordValue(Math.max(0, Math.min(3_600_000_000L, startedMicros - slotMs * 1000)));
          }
        }
      }
    }
    return new Tally(started, windowSlotsExecuted, duplicates, lateness);
  }

  private void stop() {
    nodes.forEach(Process::destroy);
    for (Process p : nodes) {
      try {
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
  }

  @Override
  public void close() {
    stop();
  }
}
