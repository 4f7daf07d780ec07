package io.raftcron.cli;

import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.DeleteJobResponse;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ListJobsResponse;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.ShellExecutor;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "job",
    description = "Create, inspect, change and delete jobs.",
    subcommands = {
      JobCommand.Create.class,
      JobCommand.Get.class,
      JobCommand.ListJobs.class,
      JobCommand.Update.class,
      JobCommand.Delete.class,
      JobCommand.Runs.class
    })
final class JobCommand {

  /** Options that create and update share. */
  static final class SpecOptions {
    @Option(names = "--tz", paramLabel = "ZONE", description = "IANA time zone of the schedule (default: UTC).")
    String timeZone;

    @Option(
        names = "--misfire",
        paramLabel = "fire-all|skip",
        converter = Converters.MisfireConverter.class,
        description = "Slots missed while no leader could fire: fire each (default) or skip them.")
    MisfirePolicy misfire;

    @Option(
        names = "--catchup-window",
        paramLabel = "DURATION",
        converter = Converters.DurationConverter.class,
        description = "fire-all only: missed slots older than this are skipped (e.g. 1h; default 1h).")
    Duration catchupWindow;

    boolean isEmpty() {
      return timeZone == null && misfire == null && catchupWindow == null;
    }

    void applyTo(JobSpec.Builder spec) {
      if (timeZone != null) {
        spec.setTimeZone(timeZone);
      }
      if (misfire != null) {
        spec.setMisfire(misfire);
      }
      if (catchupWindow != null) {
        spec.setCatchupWindow(com.google.protobuf.Duration.newBuilder()
            .setSeconds(catchupWindow.getSeconds())
            .setNanos(catchupWindow.getNano()));
      }
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
        description = "5-field cron, 6-field cron with seconds, @hourly-style macro or '@every 10m'.")
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
      print(job, out -> Views.jobs(out, List.of(job)));
    }
  }

  @Command(name = "list", description = "List all jobs.")
  static final class ListJobs extends ClientCommand {
    @Override
    void run(RaftcronClient client) {
      List<Job> jobs = client.listJobs();
      print(ListJobsResponse.newBuilder().addAllJobs(jobs).build(), out -> Views.jobs(out, jobs));
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
        throw usageError("Nothing to update: give at least one of --cron, --tz, --command, --misfire, --catchup-window");
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

    @Override
    void run(RaftcronClient client) {
      client.deleteJob(name);
      print(DeleteJobResponse.newBuilder().setName(name).build(), out -> out.println("deleted job " + name));
    }
  }

  @Command(name = "runs", description = "List a job's runs, newest first.")
  static final class Runs extends ClientCommand {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "At most N runs (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void validate() {
      if (limit < 1) {
        throw usageError("--limit must be at least 1");
      }
    }

    @Override
    void run(RaftcronClient client) {
      ListRunsResponse runs = ListRunsResponse.newBuilder().addAllRuns(client.listRuns(name, limit)).build();
      print(runs, out -> Views.runs(out, runs.getRunsList()));
    }
  }
}
