package io.raftcron.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.raftcron.proto.Attempt;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.DstGapPolicy;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.OverlapPolicy;
import io.raftcron.proto.PreviewJobResponse;
import io.raftcron.proto.PreviewSlot;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.SlotExplanation;
import io.raftcron.proto.SlotVerdict;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.NodeStatus;
import io.raftcron.proto.RefusedReport;
import io.raftcron.proto.Run;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** How jobs, runs and the cluster are shown: tables for people, protobuf JSON for programs. */
final class Views {
  private static final int MAX_ERROR_WIDTH = 60;
  private static final int MAX_DETAIL_ERROR_WIDTH = 200;
  private static final JsonFormat.Printer JSON = JsonFormat.printer().includingDefaultValueFields();

  private Views() {}

  /** lowerCamelCase field names, RFC 3339 times, fields at their default value included. */
  static String json(MessageOrBuilder message) {
    try {
      return JSON.print(message);
    } catch (InvalidProtocolBufferException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void jobs(PrintWriter out, List<Job> jobs) {
    Table table = new Table("NAME", "SCHEDULE", "TZ", "MISFIRE", "VERSION", "NEXT SLOT", "FIRED", "SKIPPED", "STATE",
        "COMMAND");
    for (Job job : jobs) {
      table.row(
          job.getSpec().getName(),
          job.getSpec().getSchedule(),
          job.getSpec().getTimeZone().isEmpty() ? "UTC" : job.getSpec().getTimeZone(),
          misfire(job.getSpec().getMisfire()),
          job.getVersion(),
          time(job.hasNextSlot(), job.getNextSlot()),
          job.getFiredCount(),
          job.getSkippedCount(),
          job.getPaused() ? "paused" : "active",
          job.getSpec().getExecutor().getShell().getCommand());
    }
    table.print(out);
  }

  static void runs(PrintWriter out, List<Run> runs) {
    Table table = new Table("RUN ID", "SLOT", "ATTEMPT", "STATE", "FIRED BY", "TERM", "FIRE IDX", "WORKER",
        "TOKEN", "STARTED", "FINISHED", "EXIT", "ERROR");
    for (Run run : runs) {
      table.row(
          run.getRunId(),
          time(run.hasSlot(), run.getSlot()),
          run.getAttempt(),
          run.getState(),
          orDash(run.getFiredBy()),
          run.getTerm(),
          run.getFireIndex(),
          orDash(run.getWorker()),
          run.getFencingToken() == 0 ? "-" : run.getFencingToken(),
          time(run.hasStartedAt(), run.getStartedAt()),
          time(run.hasFinishedAt(), run.getFinishedAt()),
          run.hasFinishedAt() ? run.getExitCode() : "-",
          orDash(shortError(run.getError())));
    }
    table.print(out);
  }

  /**
   * One run in full: its row as in {@link #runs}, then what is not in the row (next attempt time,
   * cancel request, expired leases, skip reason), every finished attempt with its error, and the
   * completions refused for a stale fencing token.
   */
  static void run(PrintWriter out, Run run) {
    runs(out, List.of(run));
    if (run.hasNextAttemptAt()) {
      out.println("next attempt: " + time(true, run.getNextAttemptAt()));
    }
    if (run.getCancelRequested()) {
      out.println("cancel requested: the worker stops the run at its next heartbeat");
    }
    if (run.getExpiredLeases() > 0) {
      out.println("expired leases: " + run.getExpiredLeases());
    }
    if (!run.getSkipReason().isEmpty()) {
      out.println("skip reason: " + run.getSkipReason());
    }
    if (run.getAttemptsCount() > 0) {
      out.println();
      out.println("attempts:");
      Table attempts = new Table("ATTEMPT", "WORKER", "TOKEN", "STARTED", "FINISHED", "OUTCOME", "EXIT", "ERROR");
      for (Attempt a : run.getAttemptsList()) {
        attempts.row(
            a.getAttempt(),
            orDash(a.getWorker()),
            a.getFencingToken() == 0 ? "-" : a.getFencingToken(),
            time(a.hasStartedAt(), a.getStartedAt()),
            time(a.hasFinishedAt(), a.getFinishedAt()),
            a.getOutcome(),
            a.getExitCode(),
            orDash(shortError(a.getError(), MAX_DETAIL_ERROR_WIDTH)));
      }
      attempts.print(out);
    }
    if (run.getRefusedReportsCount() > 0) {
      out.println();
      out.println("refused completions (stale fencing token):");
      Table refused = new Table("WORKER", "TOKEN", "AT", "REASON");
      for (RefusedReport r : run.getRefusedReportsList()) {
        refused.row(orDash(r.getWorker()), r.getFencingToken(), time(r.hasAt(), r.getAt()), orDash(r.getReason()));
      }
      refused.print(out);
    }
  }

  /** One job in full: its row, then every policy with its effective value (defaults included). */
  static void job(PrintWriter out, Job job) {
    jobs(out, List.of(job));
    JobSpec spec = job.getSpec();
    out.println();
    if (job.getPaused()) {
      out.println("paused since:   " + time(job.hasPausedAt(), job.getPausedAt()));
    }
    String misfire = misfire(spec.getMisfire());
    if (misfire.equals("fire-all")) {
      misfire += " (catch-up window " + (spec.hasCatchupWindow() ? duration(spec.getCatchupWindow()) : "1h")
          + ", max-catchup " + (spec.getMaxCatchup() > 0 ? spec.getMaxCatchup() : 1000) + ")";
    }
    out.println("misfire:        " + misfire);
    out.println("overlap:        " + overlap(spec.getOverlap()));
    out.println("dst:            gap " + (spec.getDstGap() == DstGapPolicy.DST_SKIP ? "skip" : "shift")
        + ", repeated time " + switch (spec.getDstOverlap()) {
          case DST_ONCE -> "once";
          case DST_TWICE -> "twice";
          default -> "default (once; twice if the hour field is '*')";
        });
    out.println("bounds:         " + (spec.hasStartAt() ? "from " + time(true, spec.getStartAt()) : "from creation")
        + (spec.hasEndAt() ? " to " + time(true, spec.getEndAt()) : ", no end"));
    RetryPolicy retry = spec.getRetry();
    out.println("retry:          " + (retry.getMaxAttempts() <= 1 ? "none (1 attempt)"
        : retry.getMaxAttempts() + " attempts, backoff "
            + (retry.hasInitialBackoff() ? duration(retry.getInitialBackoff()) : "10s")
            + " x" + (retry.getMultiplier() > 0 ? retry.getMultiplier() : 2.0)
            + " up to " + (retry.hasMaxBackoff() ? duration(retry.getMaxBackoff()) : "10m")
            + ", jitter " + (retry.getJitter() > 0 ? retry.getJitter() : 0.2)));
    out.println("timeout:        " + (spec.hasTimeout() && (spec.getTimeout().getSeconds() > 0 || spec.getTimeout().getNanos() > 0)
        ? duration(spec.getTimeout()) : "none"));
    out.println("retention:      keep the newest "
        + (spec.getRetention().getKeepLast() > 0 ? spec.getRetention().getKeepLast() : 1000)
        + " runs and runs younger than "
        + (spec.getRetention().hasKeepFor() ? duration(spec.getRetention().getKeepFor()) : "7d"));
  }

  /** The next slots: UTC, the job's zone, and what DST does to them. */
  static void preview(PrintWriter out, PreviewJobResponse preview) {
    Table table = new Table("SLOT (UTC)", "LOCAL (" + preview.getTimeZone() + ")", "DST");
    for (PreviewSlot slot : preview.getSlotsList()) {
      table.row(time(true, slot.getSlot()), slot.getLocalTime(), orDash(slot.getDstNote()));
    }
    table.print(out);
  }

  /** A slot's verdict, its sentence, and the run or skipped range behind it. */
  static void explanation(PrintWriter out, SlotExplanation explanation) {
    out.println(verdict(explanation.getVerdict()) + ": " + explanation.getMessage());
    if (explanation.hasRun()) {
      out.println();
      runs(out, List.of(explanation.getRun()));
    }
  }

  static String verdict(SlotVerdict verdict) {
    return switch (verdict) {
      case FIRED -> "FIRED";
      case SKIPPED_SLOT -> "SKIPPED";
      case NOT_YET_DUE -> "NOT YET DUE";
      case OUTSIDE_SCHEDULE -> "OUTSIDE THE SCHEDULE";
      case BEFORE_JOB -> "BEFORE THE JOB";
      case AFTER_END -> "AFTER THE END";
      case PAUSED_PENDING -> "PAUSED";
      case PENDING -> "PENDING";
      default -> "UNKNOWN";
    };
  }

  static String overlap(OverlapPolicy policy) {
    return switch (policy) {
      case FORBID -> "forbid";
      case BUFFER_ONE -> "buffer-one";
      case REPLACE -> "replace";
      default -> "allow";
    };
  }

  private static String duration(com.google.protobuf.Duration d) {
    return java.time.Duration.ofSeconds(d.getSeconds(), d.getNanos()).toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }

  static void cluster(PrintWriter out, ClusterStatus status) {
    out.println("leader: " + (status.getLeaderId().isEmpty() ? "none" : status.getLeaderId())
        + "  term: " + status.getTerm());
    if (status.getVotersCount() > 0) {
      out.println("voters: " + String.join(",", status.getVotersList())
          + "  learners: " + (status.getLearnersCount() == 0 ? "none" : String.join(",", status.getLearnersList())));
    }
    Table table = new Table("NODE", "RAFT ADDR", "GRPC ADDR", "ROLE", "TERM", "APPLIED", "ERROR");
    for (NodeStatus node : status.getNodesList()) {
      table.row(node.getNodeId(), node.getRaftAddr(), orDash(node.getGrpcAddr()), node.getRole(), node.getTerm(),
          node.getAppliedIndex(), orDash(node.getError()));
    }
    table.print(out);
  }

  static String misfire(MisfirePolicy policy) {
    return switch (policy) {
      case SKIP -> "skip";
      case FIRE_ONCE -> "fire-once";
      case FIRE_ALL, MISFIRE_POLICY_UNSPECIFIED -> "fire-all"; // unspecified is treated as fire-all
      default -> policy.name();
    };
  }

  /** RFC 3339 in UTC, to the millisecond: enough for people, and it keeps the columns narrow. */
  private static String time(boolean present, Timestamp timestamp) {
    if (!present) {
      return "-";
    }
    return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos()).truncatedTo(ChronoUnit.MILLIS).toString();
  }

  private static String orDash(String value) {
    return value.isEmpty() ? "-" : value;
  }

  /** One line; a stderr tail's end says most, so a long one keeps its end. */
  private static String shortError(String error) {
    return shortError(error, MAX_ERROR_WIDTH);
  }

  private static String shortError(String error, int width) {
    String line = error.strip().replaceAll("\\s+", " ");
    return line.length() <= width ? line : "…" + line.substring(line.length() - width + 1);
  }
}
