package io.raftcron.cli;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import com.google.protobuf.util.JsonFormat;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.Job;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.NodeStatus;
import io.raftcron.proto.Run;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** How jobs, runs and the cluster are shown: tables for people, protobuf JSON for programs. */
final class Views {
  private static final int MAX_ERROR_WIDTH = 60;
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
    Table table = new Table("NAME", "SCHEDULE", "TZ", "MISFIRE", "VERSION", "NEXT SLOT", "FIRED", "SKIPPED", "COMMAND");
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

  static void cluster(PrintWriter out, ClusterStatus status) {
    out.println("leader: " + (status.getLeaderId().isEmpty() ? "none" : status.getLeaderId())
        + "  term: " + status.getTerm());
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
    String line = error.strip().replaceAll("\\s+", " ");
    return line.length() <= MAX_ERROR_WIDTH ? line : "…" + line.substring(line.length() - MAX_ERROR_WIDTH + 1);
  }
}
