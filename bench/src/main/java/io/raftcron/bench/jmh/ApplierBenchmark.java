package io.raftcron.bench.jmh;

import com.google.protobuf.Duration;
import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Executor;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.RetentionPolicy;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.SchedulerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Applying one committed FireSlots entry on a real RocksDB store in a temporary folder: decode,
 * check every decision (real slot, after the cursor, not in the leader's future, not decided
 * yet), create the runs, advance the cursors, one WriteBatch. Each invocation fires the next
 * second's slot of every job, so {@code jobs} decisions per entry: divide the time per entry by
 * {@code jobs} for the cost per fire. The decisions are listed by job name, as the leader lists
 * an entry's decisions (FireScheduler's entry order), so the replica's sort of the batch's writes
 * by key finds them sorted. {@code spec} is the job each decision copies into its run:
 * {@code tiny} (a shell command "true") or {@code realistic} (a longer command, a working folder,
 * environment variables, a retry policy, a timeout and a retention policy: what a production job
 * carries, ~400 bytes of spec).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ApplierBenchmark {
  @Param({"100", "1000", "5000"})
  int jobs;

  @Param({"tiny", "realistic"})
  String spec;

  private Path dir;
  private SchedulerStore store;
  private SchedulerStateMachine stateMachine;
  private long index;
  private Instant slot;
  private List<String> names;

  @Setup(Level.Trial)
  public void createJobs() throws IOException {
    dir = Files.createTempDirectory("raftcron-jmh-");
    store = SchedulerStore.open(dir.resolve("state"));
    stateMachine = new SchedulerStateMachine(store, (i, c, r) -> {});
    slot = Instant.parse("2026-01-01T00:00:00Z");
    names = new ArrayList<>();
    for (int j = 0; j < jobs; j++) {
      names.add("job-" + j);
    }
    Collections.sort(names);
    for (int j = 0; j < jobs; j++) {
      JobSpec.Builder job = JobSpec.newBuilder().setName("job-" + j).setSchedule("@every 1s");
      JobSpec created = spec.equals("realistic") ? realistic(job) : tiny(job);
      CommandResult result = apply(stamped(slot).setPutJob(PutJob.newBuilder().setSpec(created).setCreate(true)));
      if (result.getCode() != ResultCode.OK) {
        throw new IllegalStateException("the benchmark's job was refused: " + result.getMessage());
      }
    }
  }

  private static JobSpec tiny(JobSpec.Builder job) {
    return job.setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true"))).build();
  }

  private static JobSpec realistic(JobSpec.Builder job) {
    ShellExecutor shell = ShellExecutor.newBuilder()
        .setCommand("/usr/local/bin/report-export --tenant \"$TENANT\" --since \"$(date -u -d '-1 hour' +%FT%TZ)\""
            + " --format parquet --out \"s3://$REPORT_BUCKET/hourly/\" && /usr/local/bin/notify --channel ops-reports")
        .setWorkingDir("/srv/reports")
        .putEnv("TENANT", "acme-industries")
        .putEnv("REPORT_BUCKET", "acme-reports-eu-central-1")
        .putEnv("AWS_REGION", "eu-central-1")
        .putEnv("LOG_LEVEL", "info")
        .putEnv("HTTPS_PROXY", "http://proxy.internal.acme.example:3128")
        .build();
    return job.setExecutor(Executor.newBuilder().setShell(shell))
        .setMisfire(MisfirePolicy.FIRE_ONCE)
        .setRetry(RetryPolicy.newBuilder()
            .setMaxAttempts(3)
            .setInitialBackoff(Duration.newBuilder().setSeconds(30))
            .setMultiplier(2)
            .setMaxBackoff(Duration.newBuilder().setSeconds(600))
            .setJitter(0.2))
        .setTimeout(Duration.newBuilder().setSeconds(900))
        .setRetention(
            RetentionPolicy.newBuilder().setKeepLast(500).setKeepFor(Duration.newBuilder().setSeconds(3 * 86_400)))
        .build();
  }

  @Benchmark
  public CommandResult fireSlots() {
    slot = slot.plusSeconds(1);
    FireSlots.Builder fire = FireSlots.newBuilder();
    for (String name : names) {
      fire.addDecisions(SlotDecision.newBuilder().setJob(name).setSlot(Times.toTimestamp(slot)).setFire(true));
    }
    return apply(stamped(slot).setFireSlots(fire));
  }

  /**
   * A run's whole life on a replica, for every job: the next slot's FireSlots entry, a GrantLeases
   * entry that leases every new run, a CompleteRuns entry that reports each one succeeded. What
   * {@code e2e} costs each replica per run, without Raft, gRPC or workers: divide by {@code jobs}.
   */
  @Benchmark
  public CommandResult runLifecycle() {
    CommandResult fired = fireSlots();
    Instant at = slot.plusMillis(200);
    GrantLeases.Builder grants = GrantLeases.newBuilder();
    for (ItemResult item : fired.getItemsList()) {
      grants.addGrants(LeaseGrant.newBuilder()
          .setRunId(item.getRun().getRunId())
          .setWorker("w1")
          .setDeadline(Times.toTimestamp(at.plusSeconds(30))));
    }
    CommandResult granted = apply(stamped(at).setGrantLeases(grants));
    CompleteRuns.Builder completions = CompleteRuns.newBuilder();
    for (ItemResult item : granted.getItemsList()) {
      Run run = item.getRun();
      completions.addCompletions(Completion.newBuilder()
          .setRunId(run.getRunId())
          .setFencingToken(run.getFencingToken())
          .setWorker("w1")
          .setSucceeded(true)
          .setStartedAt(Times.toTimestamp(at))
          .setFinishedAt(Times.toTimestamp(at.plusMillis(100))));
    }
    CommandResult completed = apply(stamped(at.plusMillis(400)).setCompleteRuns(completions));
    if (completed.getItemsCount() != jobs
        || completed.getItemsList().stream().anyMatch(item -> item.getCode() != ResultCode.OK)) {
      throw new IllegalStateException("a run's completion was refused: " + completed);
    }
    return completed;
  }

  private CommandResult apply(Command.Builder command) {
    return stateMachine.apply(++index, command.build().toByteArray());
  }

  private static Command.Builder stamped(Instant at) {
    return Command.newBuilder().setLeaderTime(Times.toTimestamp(at)).setLeaderNode("n1").setTerm(1);
  }

  @TearDown(Level.Trial)
  public void deleteStore() throws IOException {
    store.close();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
