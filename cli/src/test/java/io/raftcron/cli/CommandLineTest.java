package io.raftcron.cli;

import static io.raftcron.cli.FakeNode.reply;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.CreateJobRequest;
import io.raftcron.proto.GetJobRequest;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.ListRunsRequest;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunServiceGrpc;
import io.raftcron.proto.UpdateJobRequest;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The command line end to end, against a fake node that serves JobService and RunService. */
class CommandLineTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  /** Knows one job, "backup" at version 7, and one of its runs. */
  private static final Job BACKUP = Job.newBuilder()
      .setSpec(io.raftcron.proto.JobSpec.newBuilder().setName("backup").setSchedule("* * * * *")
          .setExecutor(io.raftcron.proto.Executor.newBuilder()
              .setShell(io.raftcron.proto.ShellExecutor.newBuilder().setCommand("echo hi").putEnv("A", "1"))))
      .setVersion(7)
      .build();

  private final JobServiceGrpc.JobServiceImplBase jobs = new JobServiceGrpc.JobServiceImplBase() {
    @Override
    public void createJob(CreateJobRequest request, StreamObserver<Job> response) {
      reply(response, Job.newBuilder().setSpec(request.getSpec()).setVersion(7).build());
    }

    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> response) {
      if (request.getName().equals("backup")) {
        reply(response, BACKUP);
      } else {
        response.onError(Status.NOT_FOUND.withDescription("job " + request.getName() + " not found").asRuntimeException());
      }
    }

    @Override
    public void updateJob(UpdateJobRequest request, StreamObserver<Job> response) {
      reply(response, Job.newBuilder().setSpec(request.getSpec()).setVersion(9).build());
    }
  };

  private final RunServiceGrpc.RunServiceImplBase runs = new RunServiceGrpc.RunServiceImplBase() {
    @Override
    public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
      reply(response, ListRunsResponse.newBuilder()
          .addRuns(Run.newBuilder().setRunId("backup@2026-11-25T06:00:02Z").setJob("backup"))
          .build());
    }
  };

  @RegisterExtension final FakeNode node = new FakeNode(jobs, runs);

  @Test
  void createsAJobWithAShellExecutor() {
    int code = execute("job", "create", "backup", "--cron", "0 */5 * * * *", "--tz", "Europe/Paris",
        "--command", "tar czf /tmp/b.tgz /srv", "--misfire", "skip", "--catchup-window", "1h30m",
        "--cluster", node.endpoint());

    assertThat(code).isZero();
    CreateJobRequest request = (CreateJobRequest) node.requests.peek();
    assertThat(request.getSpec().getName()).isEqualTo("backup");
    assertThat(request.getSpec().getSchedule()).isEqualTo("0 */5 * * * *");
    assertThat(request.getSpec().getTimeZone()).isEqualTo("Europe/Paris");
    assertThat(request.getSpec().getExecutor().getShell().getCommand()).isEqualTo("tar czf /tmp/b.tgz /srv");
    assertThat(request.getSpec().getMisfire()).isEqualTo(MisfirePolicy.SKIP);
    assertThat(request.getSpec().getCatchupWindow().getSeconds()).isEqualTo(5400);
    assertThat(out.toString().lines().toList().get(1))
        .startsWith("backup  0 */5 * * * *  Europe/Paris  skip     7 ");
  }

  @Test
  void updateChangesOnlyTheGivenFieldsAtTheGivenVersion() {
    int code = execute("job", "update", "backup", "--version", "7", "--cron", "@hourly", "--cluster", node.endpoint());

    assertThat(code).isZero();
    UpdateJobRequest request = (UpdateJobRequest) node.requests.stream()
        .filter(UpdateJobRequest.class::isInstance).findFirst().orElseThrow();
    assertThat(request.getExpectedVersion()).isEqualTo(7);
    assertThat(request.getSpec().getSchedule()).isEqualTo("@hourly");
    assertThat(request.getSpec().getExecutor().getShell().getCommand()).isEqualTo("echo hi");
  }

  @Test
  void printsRunsAsJson() {
    int code = execute("job", "runs", "backup", "--limit", "5", "--output", "json", "--cluster", node.endpoint());

    assertThat(code).isZero();
    assertThat(((ListRunsRequest) node.requests.peek()).getLimit()).isEqualTo(5);
    assertThat(out.toString()).startsWith("{\n  \"runs\": [{").contains("\"runId\": \"backup@2026-11-25T06:00:02Z\"");
  }

  @Test
  void refusalsPrintTheServersMessageAndExitOne() {
    int code = execute("job", "get", "missing", "--cluster", node.endpoint());

    assertThat(code).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(err.toString()).isEqualTo("error: job missing not found\n");
    assertThat(out.toString()).isEmpty();
  }

  @Test
  void anUnreachableClusterExitsThree() throws IOException {
    int code = execute("job", "list", "--cluster", deadEndpoint(), "--timeout", "300ms");

    assertThat(code).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(err.toString()).startsWith("error: no raftcron node answered within 300 ms");
  }

  @Test
  void usageErrorsExitTwoWithoutCallingTheCluster() {
    String[][] invalid = {
      {"job", "create", "backup", "--cron", "* * * * *"}, // no --command
      {"job", "create", "backup", "--cron", "* * * * *", "--command", "true", "--misfire", "sometimes"},
      {"job", "create", "backup", "--cron", "* * * * *", "--command", "true", "--catchup-window", "soon"},
      {"job", "get", "backup", "--output", "yaml"},
      {"job", "get", "backup", "--cluster", "localhost"},
      {"job", "update", "backup", "--cron", "@daily"}, // no --version
      {"job", "update", "backup", "--version", "3"}, // nothing to change
      {"job", "runs", "backup", "--limit", "0"},
      {"run", "list", "--limit", "-1"},
      {"job", "list", "--timeout", "0s"},
      {"job"},
      {"bogus"},
      {"server", "--node-id", "n1"},
      {"worker", "--shutdown-grace", "0s"},
      {"worker", "--shutdown-grace", "soon"},
    };
    for (String[] args : invalid) {
      out.getBuffer().setLength(0);
      err.getBuffer().setLength(0);
      assertThat(execute(args)).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(err.toString()).as(String.join(" ", args)).isNotEmpty();
    }
    assertThat(node.requests).isEmpty();
  }

  @Test
  void aLimitBelowOneIsRefusedByBothRunListings() {
    for (String[] args : new String[][] {{"job", "runs", "backup", "--limit", "0"}, {"run", "list", "--limit", "0"}}) {
      err.getBuffer().setLength(0);
      assertThat(execute(args)).as(String.join(" ", args)).isEqualTo(ExitCodes.USAGE);
      assertThat(err.toString()).as(String.join(" ", args)).contains("--limit must be at least 1");
    }
    assertThat(node.requests).isEmpty();
  }

  @Test
  void everyCommandHasHelp() {
    String[][] commands = {
      {}, {"server"}, {"job"}, {"job", "create"}, {"job", "get"}, {"job", "list"}, {"job", "update"},
      {"job", "delete"}, {"job", "runs"}, {"run"}, {"run", "get"}, {"cluster"}, {"cluster", "status"}, {"worker"},
    };
    for (String[] command : commands) {
      out.getBuffer().setLength(0);
      String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(command), java.util.stream.Stream.of("--help"))
          .toArray(String[]::new);
      assertThat(execute(args)).as(String.join(" ", args)).isZero();
      assertThat(out.toString()).as(String.join(" ", args)).startsWith("Usage: raftcron");
    }
  }

  private int execute(String... args) {
    return Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
  }

  private static String deadEndpoint() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }
}
