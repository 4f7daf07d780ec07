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
 */
final class Witness {
  /** The shell snippet that writes one witness line: S (start) or E (end). */
  static String line(String mark) {
    return "echo \"" + mark + " $RAFTCRON_JOB $RAFTCRON_SLOT $RAFTCRON_RUN_ID $RAFTCRON_ATTEMPT"
        + " $RAFTCRON_FENCING_TOKEN $CHAOS_WORKER $(date +%s%N)\" >> /witness/$CHAOS_WORKER.log";
  }

  /** A job command that records its start, optionally works for a while, and records its end. */
  static String command(double workSeconds) {
    String work = workSeconds > 0 ? "sleep " + workSeconds + "; " : "";
    return line("S") + "; " + work + line("E");
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

  /** Parsed executions plus malformed lines (a witness that cannot be read is itself a finding). */
  record Record(List<Exec> execs, List<String> problems) {}

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
    for (String raw : lines) {
      String line = raw.strip();
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split(" ");
      if (f.length != 8 || !(f[0].equals("S") || f[0].equals("E"))) {
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
    return new Record(execs, problems);
  }
}
