package io.raftcron.cli;

import static io.raftcron.cli.FakeNode.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.BackfillJobRequest;
import io.raftcron.proto.BackfillJobResponse;
import io.raftcron.proto.CreateJobRequest;
import io.raftcron.proto.DeleteJobRequest;
import io.raftcron.proto.DeleteJobResponse;
import io.raftcron.proto.DstGapPolicy;
import io.raftcron.proto.DstOverlapPolicy;
import io.raftcron.proto.Executor;
import io.raftcron.proto.ExplainSlotRequest;
import io.raftcron.proto.GetJobRequest;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ListJobsRequest;
import io.raftcron.proto.ListJobsResponse;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.OverlapPolicy;
import io.raftcron.proto.PauseJobRequest;
import io.raftcron.proto.PreviewJobRequest;
import io.raftcron.proto.PreviewJobResponse;
import io.raftcron.proto.PreviewSlot;
import io.raftcron.proto.ResumeJobRequest;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SlotExplanation;
import io.raftcron.proto.SlotVerdict;
import io.raftcron.proto.TriggerJobRequest;
import io.raftcron.proto.UpdateJobRequest;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The job policy flags and the pause/resume/trigger/backfill/next/explain commands, against a fake node. */
class JobPolicyCommandLineTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private static final Job BACKUP = Job.newBuilder()
      .setSpec(JobSpec.newBuilder().setName("backup").setSchedule("0 2 * * *").setTimeZone("Europe/Berlin")
          .setRetry(RetryPolicy.newBuilder().setMaxAttempts(3))
          .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("echo hi"))))
      .setVersion(7)
      .build();

  private final JobServiceGrpc.JobServiceImplBase jobs = new JobServiceGrpc.JobServiceImplBase() {
    @Override
    public void createJob(CreateJobRequest request, StreamObserver<Job> response) {
      reply(response, Job.newBuilder().setSpec(request.getSpec()).setVersion(7).build());
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> response) {
      reply(response, BACKUP);
    }

    @Override
    public void deleteJob(DeleteJobRequest request, StreamObserver<DeleteJobResponse> response) {
      reply(response, DeleteJobResponse.newBuilder().setName(request.getName()).build());
    }

    /** Two pages: backup, then nightly. */
    @Override
    public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> response) {
      reply(response, request.getPageToken().isEmpty()
          ? ListJobsResponse.newBuilder().addJobs(BACKUP).setNextPageToken("backup").setTotal(2).build()
          : ListJobsResponse.newBuilder().addJobs(BACKUP.toBuilder().setSpec(BACKUP.getSpec().toBuilder()
              .setName("nightly"))).setTotal(2).build());
    }

    @Override
    public void updateJob(UpdateJobRequest request, StreamObserver<Job> response) {
      reply(response, Job.newBuilder().setSpec(request.getSpec()).setVersion(9).build());
    }

    @Override
    public void pauseJob(PauseJobRequest request, StreamObserver<Job> response) {
      reply(response, BACKUP.toBuilder().setPaused(true).build());
    }

    @Override
    public void resumeJob(ResumeJobRequest request, StreamObserver<Job> response) {
      reply(response, BACKUP);
    }

    @Override
    public void triggerJob(TriggerJobRequest request, StreamObserver<Run> response) {
      reply(response, Run.newBuilder().setRunId("backup@2026-11-25T06:00:02.417Z~m-" + request.getRequestId())
          .setJob("backup").setOrigin(RunOrigin.MANUAL).build());
    }

    @Override
    public void backfillJob(BackfillJobRequest request, StreamObserver<BackfillJobResponse> response) {
      reply(response, BackfillJobResponse.newBuilder()
          .addRuns(Run.newBuilder().setRunId("backup@2026-11-20T01:00:00Z").setJob("backup"))
          .setAlreadyDecided(4)
          .build());
    }

    @Override
    public void previewJob(PreviewJobRequest request, StreamObserver<PreviewJobResponse> response) {
      reply(response, PreviewJobResponse.newBuilder().setTimeZone("Europe/Berlin")
          .addSlots(PreviewSlot.newBuilder()
              .setSlot(Timestamp.newBuilder().setSeconds(1774746000))
              .setLocalTime("2026-03-29T03:00:00+02:00")
              .setDstNote("shifted: 02:00-03:00 does not exist (spring forward)"))
          .build());
    }

    @Override
    public void explainSlot(ExplainSlotRequest request, StreamObserver<SlotExplanation> response) {
      reply(response, SlotExplanation.newBuilder().setVerdict(SlotVerdict.SKIPPED_SLOT)
          .setMessage("skipped: paused").build());
    }
  };

  @RegisterExtension final FakeNode node = new FakeNode(jobs);

  private int execute(String... args) {
    return Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
  }

  @Test
  void createSetsEveryPolicyFlag() {
    int code = execute("job", "create", "backup", "--cron", "30 2 * * *", "--command", "true",
        "--misfire", "fire-once", "--max-catchup", "5", "--overlap", "buffer-one",
        "--dst-gap", "skip", "--dst-overlap", "twice",
        "--start", "2026-03-01T00:00:00+01:00", "--end", "2026-12-31T23:00:00Z",
        "--max-attempts", "4", "--initial-backoff", "5s", "--backoff-multiplier", "3", "--max-backoff", "2m",
        "--jitter", "0.5", "--run-timeout", "90s", "--keep-last", "50", "--keep-for", "2d",
        "--cluster", node.endpoint());

    assertThat(code).as(err.toString()).isZero();
    JobSpec spec = node.last(CreateJobRequest.class).getSpec();
    assertThat(spec.getMisfire()).isEqualTo(MisfirePolicy.FIRE_ONCE);
    assertThat(spec.getMaxCatchup()).isEqualTo(5);
    assertThat(spec.getOverlap()).isEqualTo(OverlapPolicy.BUFFER_ONE);
    assertThat(spec.getDstGap()).isEqualTo(DstGapPolicy.DST_SKIP);
    assertThat(spec.getDstOverlap()).isEqualTo(DstOverlapPolicy.DST_TWICE);
    assertThat(spec.getStartAt().getSeconds()).isEqualTo(1772319600L);
    assertThat(spec.getEndAt().getSeconds()).isEqualTo(1798758000L);
    assertThat(spec.getRetry().getMaxAttempts()).isEqualTo(4);
    assertThat(spec.getRetry().getInitialBackoff().getSeconds()).isEqualTo(5);
    assertThat(spec.getRetry().getMultiplier()).isEqualTo(3.0);
    assertThat(spec.getRetry().getMaxBackoff().getSeconds()).isEqualTo(120);
    assertThat(spec.getRetry().getJitter()).isEqualTo(0.5);
    assertThat(spec.getTimeout().getSeconds()).isEqualTo(90);
    assertThat(spec.getRetention().getKeepLast()).isEqualTo(50);
    assertThat(spec.getRetention().getKeepFor().getSeconds()).isEqualTo(2 * 86400);
  }

  @Test
  void updateMergesPolicyFlagsIntoTheCurrentSpecAndNoneRemovesABound() {
    int code = execute("job", "update", "backup", "--version", "7", "--initial-backoff", "1m", "--end", "none",
        "--overlap", "forbid", "--cluster", node.endpoint());

    assertThat(code).as(err.toString()).isZero();
    JobSpec spec = node.last(UpdateJobRequest.class).getSpec();
    assertThat(spec.getRetry().getMaxAttempts()).isEqualTo(3); // kept
    assertThat(spec.getRetry().getInitialBackoff().getSeconds()).isEqualTo(60);
    assertThat(spec.getOverlap()).isEqualTo(OverlapPolicy.FORBID);
    assertThat(spec.hasEndAt()).isFalse();
  }

  @Test
  void pauseResumeTriggerBackfillNextAndExplainCallTheirRpcs() {
    assertThat(execute("job", "pause", "backup", "--cluster", node.endpoint())).isZero();
    assertThat(node.last(PauseJobRequest.class).getName()).isEqualTo("backup");
    assertThat(out.toString()).contains("paused");

    assertThat(execute("job", "resume", "backup", "--cluster", node.endpoint())).isZero();
    assertThat(node.last(ResumeJobRequest.class).getName()).isEqualTo("backup");

    assertThat(execute("job", "trigger", "backup", "--request-id", "deploy-7", "--cluster", node.endpoint())).isZero();
    assertThat(node.last(TriggerJobRequest.class).getRequestId()).isEqualTo("deploy-7");
    assertThat(out.toString()).contains("backup@2026-11-25T06:00:02.417Z~m-deploy-7");

    out.getBuffer().setLength(0);
    assertThat(execute("job", "backfill", "backup", "--from", "2026-11-20T00:00:00Z", "--to",
        "2026-11-25T00:00:00+01:00", "--cluster", node.endpoint())).isZero();
    BackfillJobRequest backfill = node.last(BackfillJobRequest.class);
    assertThat(backfill.getFrom().getSeconds()).isEqualTo(1795132800L);
    assertThat(backfill.getTo().getSeconds()).isEqualTo(1795561200L);
    assertThat(out.toString()).startsWith("created 1 run(s); 4 slot(s) already had a run");

    out.getBuffer().setLength(0);
    assertThat(execute("job", "next", "backup", "--count", "3", "--cluster", node.endpoint())).isZero();
    assertThat(node.last(PreviewJobRequest.class).getCount()).isEqualTo(3);
    assertThat(out.toString()).contains("LOCAL (Europe/Berlin)").contains("2026-03-29T03:00:00+02:00")
        .contains("shifted");

    out.getBuffer().setLength(0);
    assertThat(execute("job", "explain", "backup", "--slot", "2026-03-29T02:30:00+01:00", "--cluster", node.endpoint()))
        .isZero();
    assertThat(node.last(ExplainSlotRequest.class).getSlot().getSeconds()).isEqualTo(1774747800L);
    assertThat(out.toString()).startsWith("SKIPPED: skipped: paused");
  }

  @Test
  void jobGetShowsEveryPolicyWithItsEffectiveValue() {
    assertThat(execute("job", "get", "backup", "--cluster", node.endpoint())).isZero();

    assertThat(out.toString())
        .contains("misfire:        fire-all (catch-up window 1h, max-catchup 1000)")
        .contains("overlap:        allow")
        .contains("retry:          3 attempts, backoff 10s x2.0 up to 10m, jitter 0.2")
        .contains("retention:      keep the newest 1000 runs and runs younger than 7d");
  }

  @Test
  void deleteSendsTheVersionItIsBasedOnOrNone() {
    assertThat(execute("job", "delete", "backup", "--version", "7", "--cluster", node.endpoint())).as(err.toString()).isZero();
    assertThat(node.last(DeleteJobRequest.class).getExpectedVersion()).isEqualTo(7);
    assertThat(execute("job", "delete", "backup", "--cluster", node.endpoint())).as(err.toString()).isZero();
    assertThat(node.last(DeleteJobRequest.class).getExpectedVersion()).isZero();
  }

  @Test
  void aRunTimeoutOfZeroMeansNone() {
    int code = execute("job", "create", "backup", "--cron", "30 2 * * *", "--command", "true", "--run-timeout", "0",
        "--cluster", node.endpoint());

    assertThat(code).as(err.toString()).isZero();
    assertThat(node.last(CreateJobRequest.class).getSpec().hasTimeout()).isFalse();
  }

  @Test
  void jobListAsJsonHoldsEveryPageWithTheirTotal() throws Exception {
    assertThat(execute("job", "list", "--output", "json", "--cluster", node.endpoint())).as(err.toString()).isZero();

    ListJobsResponse.Builder listed = ListJobsResponse.newBuilder();
    com.google.protobuf.util.JsonFormat.parser().merge(out.toString(), listed);
    assertThat(listed.getJobsList()).extracting(job -> job.getSpec().getName()).containsExactly("backup", "nightly");
    assertThat(listed.getTotal()).isEqualTo(2);
    assertThat(listed.getNextPageToken()).isEmpty();
  }

  @Test
  void badPolicyValuesAreUsageErrors() {
    String[][] invalid = {
      {"job", "create", "b", "--cron", "* * * * *", "--command", "true", "--overlap", "sometimes"},
      {"job", "create", "b", "--cron", "* * * * *", "--command", "true", "--dst-gap", "jump"},
      {"job", "create", "b", "--cron", "* * * * *", "--command", "true", "--start", "tomorrow"},
      {"job", "create", "b", "--cron", "* * * * *", "--command", "true", "--keep-for", "99999999999999999999d"},
      {"job", "create", "b", "--cron", "* * * * *", "--command", "true", "--keep-for", "9999999999999999d"},
      {"job", "backfill", "b", "--from", "2026-01-02T00:00:00Z", "--to", "2026-01-01T00:00:00Z"},
      {"job", "backfill", "b", "--from", "2026-01-01"},
      {"job", "next", "b", "--count", "0"},
      {"job", "explain", "b"},
    };
    for (String[] args : invalid) {
      String[] withCluster = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
          java.util.stream.Stream.of("--cluster", node.endpoint())).toArray(String[]::new);
      assertThat(execute(withCluster)).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
    }
    assertThat(node.requests).isEmpty();
  }
}
