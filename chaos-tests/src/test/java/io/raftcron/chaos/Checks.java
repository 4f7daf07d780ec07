package io.raftcron.chaos;

import com.google.protobuf.Timestamp;
import io.raftcron.proto.Attempt;
import io.raftcron.proto.Job;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The checkers that read the cluster's replicas and the witness: I1 (at most one fire per slot),
 * I2 (no slot lost under fire-all), I4 (fencing), I6 (one leader per term, replicas agree). I3 and
 * I5 work on the client history ({@link AckedWrites}, {@link Linearizability}); I7 is measured by
 * the runner while it waits for recovery.
 */
final class Checks {
  private Checks() {}

  /** A job of workload W1: fire-all, a slot every {@code stepSeconds} seconds. */
  record ScheduledJob(String name, int stepSeconds) {}

  /** A leader as a node reported it about itself. */
  record LeaderSample(String node, long term) {}

  /** Figures reported on every run, pass or fail. */
  record Figures(int fires, long latenessP50Ms, long latenessP99Ms, long latenessMaxMs, long worstFireGapMs,
      int lateFires, int executions, int reExecutions, int staleCompletionsFenced, int staleWritesRefused,
      int failedRuns) {
    String summary() {
      return String.format("fires %d, lateness p50 %d ms / p99 %d ms / max %d ms, worst gap between fires %d ms,"
              + " fires later than 5 s %d, executions %d (re-executions %d, fenced stale completions %d,"
              + " stale writes refused by the witness %d), failed runs %d",
          fires, latenessP50Ms, latenessP99Ms, latenessMaxMs, worstFireGapMs, lateFires, executions, reExecutions,
          staleCompletionsFenced, staleWritesRefused, failedRuns);
    }
  }

  /**
   * What earlier observations showed, so that a change over time is caught: a run id seen with two
   * different fire decisions (a second fire of the slot), a node whose token for a run went back.
   */
  static final class Ledger {
    private final Map<String, String> fireDecision = new HashMap<>();
    private final Map<String, String> firstSeenOn = new HashMap<>();
    private final Map<String, Long> tokenOnNode = new HashMap<>();

    List<Violation> observe(Collection<NodeView> views) {
      List<Violation> out = new ArrayList<>();
      for (NodeView view : views) {
        for (List<Run> runs : view.runs().values()) {
          for (Run run : runs) {
            String decision = decision(run);
            String before = fireDecision.putIfAbsent(run.getRunId(), decision);
            if (before == null) {
              firstSeenOn.put(run.getRunId(), view.node());
            } else if (!before.equals(decision)) {
              out.add(new Violation("I1", "run " + run.getRunId() + " was fired twice: " + before + " (seen on "
                  + firstSeenOn.get(run.getRunId()) + ") and " + decision + " (on " + view.node() + ")"));
              fireDecision.put(run.getRunId(), decision);
            }
            String key = view.node() + "|" + run.getRunId();
            Long seen = tokenOnNode.get(key);
            if (seen != null && run.getFencingToken() < seen) {
              out.add(new Violation("I4", "node " + view.node() + ": token of run " + run.getRunId()
                  + " went back from " + seen + " to " + run.getFencingToken()));
            }
            if (seen == null || run.getFencingToken() > seen) {
              tokenOnNode.put(key, run.getFencingToken());
            }
          }
        }
      }
      return out;
    }

    private static String decision(Run run) {
      return "fired by " + run.getFiredBy() + " in term " + run.getTerm() + " at index " + run.getFireIndex();
    }
  }

  // ---------------------------------------------------------------------------------------------
  // I1: at most one fire per (job, slot), in every replica and in the witness

  static List<Violation> i1(List<NodeView> views, Witness.Record witness) {
    List<Violation> out = new ArrayList<>();
    for (NodeView view : views) {
      view.runs().forEach((job, runs) -> {
        Map<Long, Long> perSlot = runs.stream()
            .collect(Collectors.groupingBy(r -> nanos(r.getSlot()), TreeMap::new, Collectors.counting()));
        perSlot.forEach((slot, n) -> {
          if (n > 1) {
            out.add(new Violation("I1", "node " + view.node() + ": job " + job + " has " + n + " runs for slot "
                + Instant.ofEpochSecond(0, slot)));
          }
        });
        Job j = view.jobs().get(job);
        if (view.countsStable() && j != null && j.getFiredCount() != runs.size()) {
          out.add(new Violation("I1", "node " + view.node() + ": job " + job + " counts " + j.getFiredCount()
              + " fires but has " + runs.size() + " runs (a slot fired more than once?)"));
        }
      });
    }
    Map<String, Run> latest = latestRuns(views);
    Map<String, List<Witness.Exec>> byRun = witness.execs().stream()
        .collect(Collectors.groupingBy(Witness.Exec::runId, LinkedHashMap::new, Collectors.toList()));
    byRun.forEach((runId, execs) -> {
      Run run = latest.get(runId);
      if (run == null) {
        out.add(new Violation("I1", "the witness saw run " + runId + " executed, but no replica has that run"));
        return;
      }
      Map<Long, Long> perToken = execs.stream()
          .collect(Collectors.groupingBy(Witness.Exec::token, TreeMap::new, Collectors.counting()));
      perToken.forEach((token, n) -> {
        if (n > 1) {
          out.add(new Violation("I1", "run " + runId + " was executed " + n + " times under the same lease (token "
              + token + ")"));
        }
        if (token <= run.getFireIndex() || token > run.getFencingToken()) {
          out.add(new Violation("I1", "run " + runId + " was executed under token " + token
              + ", which the cluster never granted for it (fired at index " + run.getFireIndex()
              + ", latest grant " + run.getFencingToken() + ")"));
        }
      });
      int leases = run.getExpiredLeases() + 1;
      if (perToken.size() > leases) {
        out.add(new Violation("I1", "run " + runId + " was executed under " + perToken.size() + " leases " + perToken.keySet()
            + " but the cluster granted it at most " + leases + " (attempt " + run.getAttempt() + ", "
            + run.getExpiredLeases() + " expired leases): the slot ran more often than it was fired and re-leased"));
      }
    });
    for (String problem : witness.problems()) {
      out.add(new Violation("I1", problem));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // I2: no slot lost under fire-all (outages here are far shorter than the catch-up window)

  static List<Violation> i2(List<NodeView> views, List<ScheduledJob> jobs, Instant through) {
    List<Violation> out = new ArrayList<>();
    NodeView view = mostAdvanced(views);
    if (view == null) {
      out.add(new Violation("I2", "no replica could be read"));
      return out;
    }
    for (ScheduledJob scheduled : jobs) {
      Job job = view.jobs().get(scheduled.name());
      if (job == null) {
        out.add(new Violation("I2", "job " + scheduled.name() + " is missing on " + view.node()));
        continue;
      }
      if (job.getSkippedCount() > 0) {
        out.add(new Violation("I2", "fire-all job " + scheduled.name() + " recorded " + job.getSkippedCount()
            + " skipped slots although every outage was far shorter than its catch-up window"));
      }
      long step = scheduled.stepSeconds();
      long created = job.getCreatedAt().getSeconds();
      long first = Math.floorDiv(created, step) * step + step;
      long last = Math.floorDiv(through.getEpochSecond(), step) * step;
      Set<Long> fired = view.runs().getOrDefault(scheduled.name(), List.of()).stream()
          .map(r -> r.getSlot().getSeconds()).collect(Collectors.toCollection(TreeSet::new));
      List<String> gaps = new ArrayList<>();
      int missing = 0;
      long gapStart = -1;
      for (long s = first; s <= last; s += step) {
        if (!fired.contains(s)) {
          missing++;
          if (gapStart < 0) {
            gapStart = s;
          }
        } else if (gapStart >= 0) {
          gaps.add(range(gapStart, s - step));
          gapStart = -1;
        }
      }
      if (gapStart >= 0) {
        gaps.add(range(gapStart, last));
      }
      if (missing > 0) {
        out.add(new Violation("I2", "job " + scheduled.name() + " on " + view.node() + ": " + missing
            + " slots between " + Instant.ofEpochSecond(first) + " and " + Instant.ofEpochSecond(last)
            + " never fired: " + String.join(", ", gaps.subList(0, Math.min(10, gaps.size())))
            + (gaps.size() > 10 ? ", ..." : "")));
      }
    }
    return out;
  }

  private static String range(long from, long to) {
    return from == to ? Instant.ofEpochSecond(from).toString()
        : Instant.ofEpochSecond(from) + ".." + Instant.ofEpochSecond(to);
  }

  // ---------------------------------------------------------------------------------------------
  // I4: no completion from a stale token

  static List<Violation> i4(List<NodeView> views, Witness.Record witness) {
    List<Violation> out = new ArrayList<>();
    Map<String, Witness.Exec> byLease = new HashMap<>();
    for (Witness.Exec exec : witness.execs()) {
      byLease.putIfAbsent(exec.runId() + "#" + exec.token(), exec);
    }
    Map<String, List<Witness.Exec>> execsByRun = witness.execs().stream()
        .collect(Collectors.groupingBy(Witness.Exec::runId));
    Set<String> attemptsChecked = new HashSet<>();
    Set<String> checked = new HashSet<>();
    for (NodeView view : views) {
      for (List<Run> runs : view.runs().values()) {
        for (Run run : runs) {
          if (attemptsChecked.add(run.getRunId())) {
            out.addAll(attemptTokens(view.node(), run, execsByRun.getOrDefault(run.getRunId(), List.of())));
          }
          if (run.getState() != RunState.SUCCEEDED || !checked.add(run.getRunId())) {
            continue;
          }
          Witness.Exec exec = byLease.get(run.getRunId() + "#" + run.getFencingToken());
          String where = "run " + run.getRunId() + " (SUCCEEDED on " + view.node() + " under token "
              + run.getFencingToken() + ", leased to " + run.getWorker() + ")";
          if (exec == null) {
            out.add(new Violation("I4", where + ": no execution under that token ever started"
                + " (the completion came from another lease)"));
            continue;
          }
          if (!exec.ended()) {
            out.add(new Violation("I4", where + ": the execution under that token had not finished"
                + " when the completion was accepted (the completion came from another lease)"));
            continue;
          }
          if (!exec.worker().equals(run.getWorker())) {
            out.add(new Violation("I4", where + ": the execution under that token ran on " + exec.worker()));
          }
          if (run.hasStartedAt() && run.hasFinishedAt()) {
            long started = nanos(run.getStartedAt());
            long finished = nanos(run.getFinishedAt());
            if (started > exec.startEpochNanos() || finished < exec.endEpochNanos()) {
              out.add(new Violation("I4", where + ": the accepted completion reports " + Instant.ofEpochSecond(0, started)
                  + ".." + Instant.ofEpochSecond(0, finished) + ", which is not the execution under that token ("
                  + Instant.ofEpochSecond(0, exec.startEpochNanos()) + ".." + Instant.ofEpochSecond(0, exec.endEpochNanos())
                  + "): a stale lease's completion was accepted"));
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * The attempts a replica accepted for a run: their tokens strictly increase, and none was
   * accepted from a lease that a later lease had already superseded (a later lease began executing,
   * per the witness, before the accepted report's own execution finished).
   */
  static List<Violation> attemptTokens(String node, Run run, List<Witness.Exec> execs) {
    List<Violation> out = new ArrayList<>();
    long previous = 0;
    for (Attempt attempt : run.getAttemptsList()) {
      String where = "node " + node + ": run " + run.getRunId() + " attempt " + attempt.getAttempt() + " (token "
          + attempt.getFencingToken() + ", " + attempt.getWorker() + ", " + attempt.getOutcome() + ")";
      if (attempt.getFencingToken() <= previous) {
        out.add(new Violation("I4", where + " was accepted after an attempt under token " + previous
            + ": tokens must increase"));
      }
      previous = Math.max(previous, attempt.getFencingToken());
      long finished = nanos(attempt.getFinishedAt());
      execs.stream()
          .filter(e -> e.token() > attempt.getFencingToken() && e.startEpochNanos() < finished)
          .findFirst()
          .ifPresent(later -> out.add(new Violation("I4", where + " was accepted from a superseded lease: token "
              + later.token() + " began executing on " + later.worker() + " at "
              + Instant.ofEpochSecond(0, later.startEpochNanos()) + ", before that report's execution finished at "
              + Instant.ofEpochSecond(0, finished))));
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // I6: one leader per term; replicas agree

  static List<Violation> i6(List<NodeView> views, Collection<LeaderSample> leaders) {
    List<Violation> out = new ArrayList<>();
    Map<Long, Set<String>> firedByTerm = new TreeMap<>();
    for (NodeView view : views) {
      for (List<Run> runs : view.runs().values()) {
        for (Run run : runs) {
          firedByTerm.computeIfAbsent(run.getTerm(), t -> new TreeSet<>()).add(run.getFiredBy());
        }
      }
    }
    firedByTerm.forEach((term, nodes) -> {
      if (nodes.size() > 1) {
        out.add(new Violation("I6", "term " + term + " has fires by " + nodes.size() + " nodes: " + nodes));
      }
    });
    Map<Long, Set<String>> leadersByTerm = new TreeMap<>();
    for (LeaderSample sample : leaders) {
      leadersByTerm.computeIfAbsent(sample.term(), t -> new TreeSet<>()).add(sample.node());
    }
    leadersByTerm.forEach((term, nodes) -> {
      if (nodes.size() > 1) {
        out.add(new Violation("I6", "term " + term + " had " + nodes.size() + " nodes claiming leadership: " + nodes));
      }
    });
    return out;
  }

  /**
   * After healing: every replica that has applied at least {@code index} holds the same fire
   * decisions at or below it.
   */
  static List<Violation> converged(List<NodeView> views, long index) {
    List<Violation> out = new ArrayList<>();
    Map<String, Map<String, String>> decisions = new LinkedHashMap<>();
    for (NodeView view : views) {
      if (view.appliedIndex() < index) {
        out.add(new Violation("I6", "node " + view.node() + " has applied only up to " + view.appliedIndex()
            + " after healing, behind " + index + " (bound " + ChaosRun.CONVERGE_BOUND.toSeconds() + " s)"));
        continue;
      }
      Map<String, String> mine = new TreeMap<>();
      for (List<Run> runs : view.runs().values()) {
        for (Run run : runs) {
          if (run.getFireIndex() <= index) {
            mine.put(run.getRunId(), run.getFiredBy() + "/" + run.getTerm() + "/" + run.getFireIndex());
          }
        }
      }
      decisions.put(view.node(), mine);
    }
    if (decisions.size() > 1) {
      var it = decisions.entrySet().iterator();
      var reference = it.next();
      while (it.hasNext()) {
        var other = it.next();
        if (!other.getValue().equals(reference.getValue())) {
          Set<String> onlyRef = new TreeSet<>(reference.getValue().entrySet().stream().map(Object::toString).toList());
          Set<String> onlyOther = new TreeSet<>(other.getValue().entrySet().stream().map(Object::toString).toList());
          Set<String> common = new HashSet<>(onlyRef);
          common.retainAll(onlyOther);
          onlyRef.removeAll(common);
          onlyOther.removeAll(common);
          out.add(new Violation("I6", "replicas " + reference.getKey() + " and " + other.getKey()
              + " disagree on the fires up to index " + index + ": only on " + reference.getKey() + " "
              + first(onlyRef) + ", only on " + other.getKey() + " " + first(onlyOther)));
        }
      }
    }
    return out;
  }

  private static String first(Set<String> s) {
    return s.stream().limit(5).toList() + (s.size() > 5 ? " (+" + (s.size() - 5) + ")" : "");
  }

  // ---------------------------------------------------------------------------------------------
  // I8: clock jumps cause no duplicate (I1) and no fire before its time

  /**
   * No execution starts before its slot (by the real clock of the machine, which the witness
   * reads): a leader whose wall clock jumped forward must not fire the slots it believes are due.
   */
  static List<Violation> i8(Witness.Record witness, Duration tolerance) {
    Map<String, List<Long>> earlyByJob = new TreeMap<>();
    for (Witness.Exec exec : witness.execs()) {
      long slot = Instant.parse(exec.slot()).getEpochSecond() * 1_000_000_000L;
      long early = slot - exec.startEpochNanos();
      if (early > tolerance.toNanos()) {
        earlyByJob.computeIfAbsent(exec.job(), j -> new ArrayList<>()).add(early / 1_000_000);
      }
    }
    List<Violation> out = new ArrayList<>();
    earlyByJob.forEach((job, early) -> out.add(new Violation("I8", "job " + job + ": " + early.size()
        + " executions started before their slot, up to " + early.stream().mapToLong(Long::longValue).max().orElse(0)
        + " ms early (a fire decided on a clock that ran ahead)")));
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Figures

  static Figures figures(List<NodeView> views, List<ScheduledJob> jobs, Witness.Record witness) {
    NodeView view = mostAdvanced(views);
    List<Long> lateness = new ArrayList<>();
    long worstGap = 0;
    int failed = 0;
    int fires = 0;
    Map<String, Run> latest = latestRuns(views);
    if (view != null) {
      for (ScheduledJob job : jobs) {
        List<Run> runs = new ArrayList<>(view.runs().getOrDefault(job.name(), List.of()));
        runs.sort(Comparator.comparingLong(r -> nanos(r.getSlot())));
        fires += runs.size();
        long previous = -1;
        for (Run run : runs) {
          lateness.add(Duration.ofNanos(nanos(run.getFiredAt()) - nanos(run.getSlot())).toMillis());
          long firedAt = nanos(run.getFiredAt());
          if (previous >= 0) {
            worstGap = Math.max(worstGap, (firedAt - previous) / 1_000_000);
          }
          previous = firedAt;
          if (run.getState() == RunState.FAILED) {
            failed++;
          }
        }
      }
    }
    lateness.sort(null);
    Map<String, Long> execsPerRun = witness.execs().stream()
        .collect(Collectors.groupingBy(Witness.Exec::runId, Collectors.counting()));
    int reExecutions = execsPerRun.values().stream().mapToInt(n -> (int) (n - 1)).sum();
    int fenced = 0;
    for (Witness.Exec exec : witness.execs()) {
      Run run = latest.get(exec.runId());
      if (exec.ended() && run != null && run.getState() == RunState.SUCCEEDED && exec.token() != run.getFencingToken()) {
        fenced++;
      }
    }
    return new Figures(fires, percentile(lateness, 0.50), percentile(lateness, 0.99),
        lateness.isEmpty() ? 0 : lateness.get(lateness.size() - 1), worstGap,
        (int) lateness.stream().filter(l -> l > 5_000).count(), witness.execs().size(), reExecutions, fenced,
        witness.refusedWriteSlots().size(), failed);
  }

  private static long percentile(List<Long> sorted, double p) {
    if (sorted.isEmpty()) {
      return 0;
    }
    int i = (int) Math.ceil(sorted.size() * p) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
  }

  // ---------------------------------------------------------------------------------------------

  /** The replica with the highest applied index. */
  static NodeView mostAdvanced(List<NodeView> views) {
    return views.stream().max(Comparator.comparingLong(NodeView::appliedIndex)).orElse(null);
  }

  /** For each run id, the version with the highest fencing token any replica holds. */
  static Map<String, Run> latestRuns(List<NodeView> views) {
    Map<String, Run> latest = new HashMap<>();
    for (NodeView view : views) {
      for (List<Run> runs : view.runs().values()) {
        for (Run run : runs) {
          latest.merge(run.getRunId(), run, (a, b) -> {
            if (a.getFencingToken() != b.getFencingToken()) {
              return a.getFencingToken() > b.getFencingToken() ? a : b;
            }
            return a.getExpiredLeases() >= b.getExpiredLeases() ? a : b;
          });
        }
      }
    }
    return latest;
  }

  static long nanos(Timestamp t) {
    return t.getSeconds() * 1_000_000_000L + t.getNanos();
  }
}
