package io.raftcron.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The independent record of executions: each job's command appends a start line and an end line
 * to {@code /witness/<worker>.log}, a folder of the harness mounted into the worker containers.
 * The cluster's own API plays no part in it.
 *
 * <p>The witness is also a downstream system that enforces fencing, as the promise asks of one: it
 * keeps the highest lease token it has seen per run ({@code /witness/fence/<run>}, under
 * {@code flock}); an execution raises it when it starts, and its final write is accepted
 * ({@code E}) only if no newer lease of the run has started meanwhile, otherwise refused
 * ({@code X}). So a worker that wakes up after its lease was taken over changes nothing there.
 */
final class Witness {
  /** The shell snippet that writes one witness line: S (start), E (end accepted) or X (end refused). */
  static String line(String mark) {
    return "echo \"" + mark + " $RAFTCRON_JOB $RAFTCRON_SLOT $RAFTCRON_RUN_ID $RAFTCRON_ATTEMPT"
        + " $RAFTCRON_FENCING_TOKEN $CHAOS_WORKER $(date +%s%N)\" >> /witness/$CHAOS_WORKER.log";
  }

  /**
   * A job command that raises the run's fence to its token and records its start, optionally works
   * for a while, and records its end: accepted if its token is still the newest the fence has seen.
   */
  static String command(double workSeconds) {
    String work = workSeconds > 0 ? "sleep " + workSeconds + "; " : "";
    String fence = "f=/witness/fence/$(printf %s \"$RAFTCRON_RUN_ID\" | tr -c 'A-Za-z0-9._-' _); "
        + "mkdir -p /witness/fence; ";
    String newest = "last=$(cat \"$f\" 2>/dev/null || echo 0); ";
    String raise = "{ flock 9; " + newest + "[ \"$RAFTCRON_FENCING_TOKEN\" -gt \"$last\" ]"
        + " && echo \"$RAFTCRON_FENCING_TOKEN\" > \"$f\"; true; } 9>\"$f.lock\"; ";
    String write = "{ flock 9; " + newest + "if [ \"$RAFTCRON_FENCING_TOKEN\" -ge \"$last\" ]; then " + line("E")
        + "; else " + line("X") + "; fi; } 9>\"$f.lock\"";
    return fence + raise + line("S") + "; " + work + write;
  }

  /** One execution of a run under one lease: its start line and, once written, its end line. */
  record Exec(String job, String slot, String runId, int attempt, long token, String worker,
      long startEpochNanos, long endEpochNanos) {
    boolean ended() {
      return endEpochNanos > 0;
    }

    Exec withEnd(long end) {
      return new Exec(job, slot, runId, attempt, token, worker, startEpochNanos, end);
    }
  }

  /**
   * Parsed executions, malformed lines (a witness that cannot be read is itself a finding), and the
   * slots of the final writes the fence refused because a newer lease of their run had started.
   */
  record Record(List<Exec> execs, List<String> problems, List<String> refusedWriteSlots) {
    Record(List<Exec> execs, List<String> problems) {
      this(execs, problems, List.of());
    }
  }

  private Witness() {}

  static Record read(Path dir) {
    List<Path> files;
    try (Stream<Path> list = Files.exists(dir) ? Files.list(dir) : Stream.empty()) {
      files = list.filter(p -> p.getFileName().toString().endsWith(".log")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> lines = new ArrayList<>();
    for (Path file : files) {
      try {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        // A line still being written (no newline yet) is read next time.
        int end = text.lastIndexOf('\n');
        if (end >= 0) {
          lines.addAll(List.of(text.substring(0, end).split("\n")));
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return parse(lines);
  }

  static Record parse(List<String> lines) {
    Map<String, Exec> byLease = new LinkedHashMap<>();
    Map<String, Integer> starts = new HashMap<>();
    List<String> problems = new ArrayList<>();
    List<Exec> duplicates = new ArrayList<>();
    List<String> refused = new ArrayList<>();
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(" ");
      if (f.length != 8 || !(f[0].equals("S") || f[0].equals("E") || f[0].equals("X"))) {
        problems.add("malformed witness line: " + line);
        continue;
      }
      try {
        Exec exec = new Exec(f[1], f[2], f[3], Integer.parseInt(f[4]), Long.parseLong(f[5]), f[6],
            Long.parseLong(f[7]), 0);
        String lease = exec.runId() + "#" + exec.token() + "#" + exec.worker();
        if (f[0].equals("S")) {
          int n = starts.merge(lease, 1, Integer::sum);
          if (n == 1) {
            byLease.put(lease, exec);
          } else {
            // The same lease started twice: kept as a separate execution for I1 to report.
            duplicates.add(exec);
          }
        } else {
          if (f[0].equals("X")) {
            refused.add(f[2]);
          }
          Exec started = byLease.get(lease);
          if (started == null) {
            problems.add("witness end without a start: " + line);
          } else if (!started.ended()) {
            byLease.put(lease, started.withEnd(exec.startEpochNanos()));
          }
        }
      } catch (NumberFormatException e) {
        problems.add("malformed witness line: " + line);
      }
    }
    List<Exec> execs = new ArrayList<>(byLease.values());
    execs.addAll(duplicates);
    return new Record(execs, problems, refused);
  }
}
