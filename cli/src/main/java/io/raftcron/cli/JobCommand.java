package io.raftcron.cli;

import com.google.protobuf.Timestamp;
import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.BackfillJobResponse;
import io.raftcron.proto.DeleteJobResponse;
import io.raftcron.proto.DstGapPolicy;
import io.raftcron.proto.DstOverlapPolicy;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ListJobsResponse;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.OverlapPolicy;
import io.raftcron.proto.PreviewJobResponse;
import io.raftcron.proto.RetentionPolicy;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SlotExplanation;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

@Command(
    name = "job",
    description = "Create, inspect, change and delete jobs.",
    subcommands = {
      JobCommand.Create.class,
      JobCommand.Get.class,
      JobCommand.ListJobs.class,
      JobCommand.Update.class,
      JobCommand.Delete.class,
      JobCommand.Runs.class,
      JobCommand.Pause.class,
      JobCommand.Resume.class,
      JobCommand.Trigger.class,
      JobCommand.Backfill.class,
      JobCommand.Next.class,
      JobCommand.Explain.class
    })
final class JobCommand {

  /** Options that create and update share: every policy of the spec. Unset options keep their value. */
  static final class SpecOptions {
    @Spec
    CommandSpec self;

    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--tz", paramLabel = "ZONE", description = "IANA time zone of the schedule (default: UTC).")
    String timeZone;

    @Option(
        names = "--misfire",
        paramLabel = "fire-all|skip|fire-once",
        converter = Converters.MisfireConverter.class,
        description = "Slots missed (no leader, paused, clock jump): fire each inside the catch-up window"
            + " (fire-all, default), skip them, or fire only the latest (fire-once).")
    MisfirePolicy misfire;

    @Option(
        names = "--catchup-window",
        paramLabel = "DURATION",
        converter = Converters.DurationConverter.class,
        description = "fire-all only: missed slots older than this are skipped (e.g. 1h; default 1h, at most 7d).")
    Duration catchupWindow;

    @Option(
        names = "--max-catchup",
        paramLabel = "N",
        description = "fire-all only: at most N missed slots fire, the latest; older ones are skipped (default 1000).")
    Integer maxCatchup;

    @Option(
        names = "--overlap",
        paramLabel = "allow|forbid|buffer-one|replace",
        converter = Converters.OverlapConverter.class,
        description = "A slot that fires while a run is active: run both (allow, default), skip the new one"
            + " (forbid), keep one waiting (buffer-one), or cancel the active one (replace).")
    OverlapPolicy overlap;

    @Option(
        names = "--dst-gap",
        paramLabel = "shift|skip",
        converter = Converters.DstGapConverter.class,
        description = "A wall-clock time that does not exist (spring forward): run when the gap ends"
            + " (shift, default) or not that day (skip).")
    DstGapPolicy dstGap;

    @Option(
        names = "--dst-overlap",
        paramLabel = "once|twice",
        converter = Converters.DstOverlapConverter.class,
        description = "A wall-clock time that occurs twice (fall back): run at the first occurrence only"
            + " (once) or at both (twice). Default: once, except schedules whose hour field is '*'.")
    DstOverlapPolicy dstOverlap;

    @Option(
        names = "--start",
        paramLabel = "TIME",
        converter = Converters.TimeBoundConverter.class,
        description = "No slot before this RFC 3339 time fires ('none' removes the bound).")
    Converters.TimeBound start;

    @Option(
        names = "--end",
        paramLabel = "TIME",
        converter = Converters.TimeBoundConverter.class,
        description = "No slot after this RFC 3339 time fires ('none' removes the bound).")
    Converters.TimeBound end;

    @Option(names = "--max-attempts", paramLabel = "N", description = "Attempts in all, the first included (default 1: no retry).")
    Integer maxAttempts;

    @Option(
        names = "--initial-backoff",
        paramLabel = "DURATION",
        converter = Converters.DurationConverter.class,
        description = "Wait before the first retry (default 10s).")
    Duration initialBackoff;

    @Option(names = "--backoff-multiplier", paramLabel = "X", description = "Each retry waits X times longer (default 2).")
    Double backoffMultiplier;

    @Option(
        names = "--max-backoff",
        paramLabel = "DURATION",
        converter = Converters.DurationConverter.class,
        description = "Longest wait between attempts (default 10m).")
    Duration maxBackoff;

    @Option(names = "--jitter", paramLabel = "F", description = "Random part of each wait, a fraction from 0 to 1 (default 0.2).")
    Double jitter;

    @Option(
        names = "--run-timeout",
        paramLabel = "DURATION",
        converter = Converters.DurationConverter.class,
        description = "The worker stops an attempt that runs longer (TIMED_OUT); 0 means no limit (default)."
            + " (--timeout is the CLI's own call deadline.)")
    Duration runTimeout;

    @Option(names = "--keep-last", paramLabel = "N", description = "History: keep at least the newest N runs (default 1000).")
    Integer keepLast;

    @Option(
        names = "--keep-for",
        paramLabel = "DURATION",
        converter = Converters.DurationConverter.class,
        description = "History: keep runs younger than this (default 7d); older ones beyond --keep-last are purged.")
    Duration keepFor;

    /** True when none of these options is on the command line. */
    boolean isEmpty() {
      ParseResult parsed = mixee.commandLine().getParseResult();
      return self.options().stream().noneMatch(option -> parsed.hasMatchedOption(option.longestName()));
    }

    /** Sets every given option on {@code spec}. */
    void applyTo(JobSpec.Builder spec) {
      if (timeZone != null) {
        spec.setTimeZone(timeZone);
      }
      if (misfire != null) {
        spec.setMisfire(misfire);
      }
      if (catchupWindow != null) {
        spec.setCatchupWindow(duration(catchupWindow));
      }
      if (maxCatchup != null) {
        spec.setMaxCatchup(maxCatchup);
      }
      if (overlap != null) {
        spec.setOverlap(overlap);
      }
      if (dstGap != null) {
        spec.setDstGap(dstGap);
      }
      if (dstOverlap != null) {
        spec.setDstOverlap(dstOverlap);
      }
      if (start != null) {
        if (start.isNone()) {
          spec.clearStartAt();
        } else {
          spec.setStartAt(timestamp(start.at()));
        }
      }
      if (end != null) {
        if (end.isNone()) {
          spec.clearEndAt();
        } else {
          spec.setEndAt(timestamp(end.at()));
        }
      }
      if (maxAttempts != null || initialBackoff != null || backoffMultiplier != null || maxBackoff != null
          || jitter != null) {
        RetryPolicy.Builder retry = spec.getRetry().toBuilder();
        if (maxAttempts != null) {
          retry.setMaxAttempts(maxAttempts);
        }
        if (initialBackoff != null) {
          retry.setInitialBackoff(duration(initialBackoff));
        }
        if (backoffMultiplier != null) {
          retry.setMultiplier(backoffMultiplier);
        }
        if (maxBackoff != null) {
          retry.setMaxBackoff(duration(maxBackoff));
        }
        if (jitter != null) {
          retry.setJitter(jitter);
        }
        spec.setRetry(retry);
      }
      if (runTimeout != null) {
        if (runTimeout.isZero()) {
          spec.clearTimeout();
        } else {
          spec.setTimeout(duration(runTimeout));
        }
      }
      if (keepLast != null || keepFor != null) {
        RetentionPolicy.Builder retention = spec.getRetention().toBuilder();
        if (keepLast != null) {
          retention.setKeepLast(keepLast);
        }
        if (keepFor != null) {
          retention.setKeepFor(duration(keepFor));
        }
        spec.setRetention(retention);
      }
    }

    private static com.google.protobuf.Duration duration(Duration d) {
      return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

    private static Timestamp timestamp(Instant t) {
      return Timestamp.newBuilder().setSeconds(t.getEpochSecond()).setNanos(t.getNano()).build();
    }
  }

  @Command(name = "create", description = "Create a job that runs a shell command on a cron schedule.")
  static final class Create extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME", description = "Lower-case letters, digits and '-'.")
    String name;

    @Option(
        names = "--cron",
        required = true,
        paramLabel = "EXPR",
        description = "5-field cron, 6-field cron with seconds, @hourly-style macro, '@every 10m' or"
            + " '@at 2026-12-24T18:00:00+01:00' (once).")
    String cron;

    @Option(names = "--command", required = true, paramLabel = "CMD", description = "Run by a worker with /bin/sh -c.")
    String command;

    @Mixin
    SpecOptions options;

    @Override
    void run(RaftcronClient client) {
      JobSpec.Builder spec = JobSpec.newBuilder()
          .setName(name)
          .setSchedule(cron)
          .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand(command)));
      options.applyTo(spec);
      Job job = client.createJob(spec.build());
      print(job, out -> Views.jobs(out, List.of(job)));
    }
  }

  @Command(name = "get", description = "Show a job.")
  static final class Get extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    void run(RaftcronClient client) {
      Job job = client.getJob(name);
      print(job, out -> Views.job(out, job));
    }
  }

  @Command(name = "list", description = "List all jobs.")
  static final class ListJobs extends ClientCommand {
    @Override
    void run(RaftcronClient client) {
      List<Job> jobs = client.listJobs();
      // Every page gathered: the JSON form has no next page, and its total is the jobs listed.
      print(ListJobsResponse.newBuilder().addAllJobs(jobs).setTotal(jobs.size()).build(), out -> Views.jobs(out, jobs));
    }
  }

  @Command(
      name = "update",
      description = "Change a job if it is still at --version (see 'job get'); unset options keep their value.")
  static final class Update extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--version", required = true, paramLabel = "V", description = "The version the change is based on.")
    long version;

    @Option(names = "--cron", paramLabel = "EXPR", description = "New schedule.")
    String cron;

    @Option(names = "--command", paramLabel = "CMD", description = "New shell command.")
    String command;

    @Mixin
    SpecOptions options;

    @Override
    void validate() {
      if (cron == null && command == null && options.isEmpty()) {
        throw usageError("Nothing to update: give at least one of --cron, --command or the policy options"
            + " (--tz, --misfire, --overlap, --start, --max-attempts, --keep-last, ...)");
      }
    }

    @Override
    void run(RaftcronClient client) {
      JobSpec current = client.getJob(name).getSpec();
      JobSpec.Builder spec = current.toBuilder();
      if (cron != null) {
        spec.setSchedule(cron);
      }
      if (command != null) {
        // Keep the shell's env and working dir.
        spec.setExecutor(Executor.newBuilder().setShell(current.getExecutor().getShell().toBuilder().setCommand(command)));
      }
      options.applyTo(spec);
      Job job = client.updateJob(spec.build(), version);
      print(job, out -> Views.jobs(out, List.of(job)));
    }
  }

  @Command(name = "delete", description = "Delete a job; its past runs stay visible.")
  static final class Delete extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--version", paramLabel = "V", description = "Delete it only if it is still at this version (see 'job get').")
    long version;

    @Override
    void run(RaftcronClient client) {
      client.deleteJob(name, version);
      print(DeleteJobResponse.newBuilder().setName(name).build(), out -> out.println("deleted job " + name));
    }
  }

  @Command(name = "runs", description = "List a job's runs, newest first.")
  static final class Runs extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Mixin
    RunLimit limit;

    @Override
    void run(RaftcronClient client) {
      ListRunsResponse runs = ListRunsResponse.newBuilder().addAllRuns(client.listRuns(name, limit.value())).build();
      print(runs, out -> Views.runs(out, runs.getRunsList()));
    }
  }

  @Command(name = "pause", description = "Pause a job: no slot is decided until it is resumed.")
  static final class Pause extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    void run(RaftcronClient client) {
      Job job = client.pauseJob(name);
      print(job, out -> Views.jobs(out, List.of(job)));
    }
  }

  @Command(
      name = "resume",
      description = "Resume a paused job; the slots that came due meanwhile follow its misfire policy.")
  static final class Resume extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Override
    void run(RaftcronClient client) {
      Job job = client.resumeJob(name);
      print(job, out -> Views.jobs(out, List.of(job)));
    }
  }

  @Command(name = "trigger", description = "Run a job now (a manual run, besides its schedule).")
  static final class Trigger extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(
        names = "--request-id",
        paramLabel = "ID",
        defaultValue = "",
        description = "Idempotency key: a second trigger with the same ID answers the same run"
            + " (1-128 of A-Z a-z 0-9 . _ : -).")
    String requestId;

    @Override
    void run(RaftcronClient client) {
      Run run = client.triggerJob(name, requestId);
      print(run, out -> Views.runs(out, List.of(run)));
    }
  }

  @Command(
      name = "backfill",
      description = "Fire the schedule slots in (FROM, TO] that have no fire decision yet (at most 1000).")
  static final class Backfill extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--from", required = true, paramLabel = "TIME", converter = Converters.InstantConverter.class,
        description = "Start of the range, exclusive (RFC 3339).")
    Instant from;

    @Option(names = "--to", required = true, paramLabel = "TIME", converter = Converters.InstantConverter.class,
        description = "End of the range, inclusive (RFC 3339).")
    Instant to;

    @Override
    void validate() {
      if (!to.isAfter(from)) {
        throw usageError("--to must be after --from");
      }
    }

    @Override
    void run(RaftcronClient client) {
      BackfillJobResponse response = client.backfillJob(name, from, to);
      print(response, out -> {
        out.println("created " + response.getRunsCount() + " run(s); " + response.getAlreadyDecided()
            + " slot(s) already had a run");
        if (response.getRunsCount() > 0) {
          Views.runs(out, response.getRunsList());
        }
      });
    }
  }

  @Command(name = "next", description = "Preview the next slots in UTC and in the job's zone, with DST notes.")
  static final class Next extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--count", paramLabel = "N", defaultValue = "10", description = "How many slots (default: ${DEFAULT-VALUE}, at most 1000).")
    int count;

    @Override
    void validate() {
      if (count < 1 || count > 1000) {
        throw usageError("--count must be from 1 to 1000");
      }
    }

    @Override
    void run(RaftcronClient client) {
      PreviewJobResponse preview = client.previewJob(name, count);
      print(preview, out -> Views.preview(out, preview));
    }
  }

  @Command(name = "explain", description = "Why a slot ran or did not: fired, skipped (and why), not yet due, ...")
  static final class Explain extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--slot", required = true, paramLabel = "TIME", converter = Converters.InstantConverter.class,
        description = "The slot (RFC 3339), e.g. 2026-03-29T02:30:00+02:00.")
    Instant slot;

    @Override
    void run(RaftcronClient client) {
      SlotExplanation explanation = client.explainSlot(name, slot);
      print(explanation, out -> Views.explanation(out, explanation));
    }
  }
}
