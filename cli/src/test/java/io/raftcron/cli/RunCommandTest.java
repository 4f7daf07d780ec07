package io.raftcron.cli;

import static io.raftcron.cli.FakeNode.reply;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.Attempt;
import io.raftcron.proto.CancelRunRequest;
import io.raftcron.proto.GetRunRequest;
import io.raftcron.proto.ListRunsRequest;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.RefusedReport;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunServiceGrpc;
import io.raftcron.proto.RunState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code run list}, {@code run get} and {@code run cancel} against a fake RunService. */
class RunCommandTest {
  private static final String RUN_ID = "backup@2026-11-25T06:00:02Z";
  private static final Run DEAD = Run.newBuilder()
      .setRunId(RUN_ID)
      .setJob("backup")
      .setSlot(timestamp("2026-11-25T06:00:02Z"))
      .setAttempt(2)
      .setState(RunState.FAILED)
      .setWorker("w2")
      .setFencingToken(40)
      .setExitCode(2)
      .setError("second: disk full")
      .setStartedAt(timestamp("2026-11-25T06:00:20Z"))
      .setFinishedAt(timestamp("2026-11-25T06:00:21Z"))
      .addAttempts(Attempt.newBuilder().setAttempt(1).setWorker("w1").setFencingToken(30)
          .setStartedAt(timestamp("2026-11-25T06:00:03Z")).setFinishedAt(timestamp("2026-11-25T06:00:04Z"))
          .setOutcome(RunState.TIMED_OUT).setExitCode(-1).setError("timed out after PT1S"))
      .addAttempts(Attempt.newBuilder().setAttempt(2).setWorker("w2").setFencingToken(40)
          .setStartedAt(timestamp("2026-11-25T06:00:20Z")).setFinishedAt(timestamp("2026-11-25T06:00:21Z"))
          .setOutcome(RunState.FAILED).setExitCode(2).setError("second: disk full"))
      .addRefusedReports(RefusedReport.newBuilder().setWorker("w0").setFencingToken(25)
          .setAt(timestamp("2026-11-25T06:00:05Z")).setReason("fencing token 25 is stale"))
      .build();

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private final RunServiceGrpc.RunServiceImplBase runs = new RunServiceGrpc.RunServiceImplBase() {
    @Override
    public void listRuns(ListRunsRequest request, StreamObserver<ListRunsResponse> response) {
      reply(response, ListRunsResponse.newBuilder().addRuns(DEAD).build());
    }

    @Override
    public void getRun(GetRunRequest request, StreamObserver<Run> response) {
      reply(response, DEAD);
    }

    @Override
    public void cancelRun(CancelRunRequest request, StreamObserver<Run> response) {
      if (request.getRunId().equals(RUN_ID)) {
        reply(response, DEAD.toBuilder().setState(RunState.LEASED).setCancelRequested(true).build());
      } else {
        response.onError(Status.FAILED_PRECONDITION.withDescription("run x has already ended: SUCCEEDED")
            .asRuntimeException());
      }
    }
  };

  @RegisterExtension final FakeNode node = new FakeNode(runs);

  @Test
  void runListWithAStateAsksForThatStateAcrossEveryJob() {
    int code = execute("run", "list", "--state", "failed", "--cluster", node.endpoint());

    assertThat(code).isZero();
    ListRunsRequest request = (ListRunsRequest) node.requests.peek();
    assertThat(request.getJob()).isEmpty();
    assertThat(request.getState()).isEqualTo(RunState.FAILED);
    assertThat(request.getLimit()).isEqualTo(20);
    assertThat(out.toString().lines().toList().get(1)).startsWith(RUN_ID).contains("FAILED");
  }

  @Test
  void runListOfOneJobInAnyState() {
    int code = execute("run", "list", "--job", "backup", "--limit", "5", "--state", "retry-wait", "--cluster", node.endpoint());

    assertThat(code).isZero();
    ListRunsRequest request = (ListRunsRequest) node.requests.peek();
    assertThat(request.getJob()).isEqualTo("backup");
    assertThat(request.getLimit()).isEqualTo(5);
    assertThat(request.getState()).isEqualTo(RunState.RETRY_WAIT);
  }

  @Test
  void runGetShowsEveryAttemptWithItsErrorAndTheRefusedCompletions() {
    int code = execute("run", "get", RUN_ID, "--cluster", node.endpoint());

    assertThat(code).isZero();
    String text = out.toString();
    assertThat(text).contains("attempts:");
    assertThat(text.lines().filter(l -> l.startsWith("1 ")).findFirst().orElseThrow())
        .contains("w1", "30", "TIMED_OUT", "timed out after PT1S");
    assertThat(text.lines().filter(l -> l.startsWith("2 ")).findFirst().orElseThrow())
        .contains("w2", "40", "FAILED", "second: disk full");
    assertThat(text).contains("refused completions (stale fencing token):");
    assertThat(text.lines().filter(l -> l.startsWith("w0 ")).findFirst().orElseThrow())
        .contains("25", "fencing token 25 is stale");
  }

  @Test
  void runGetAsJsonIsTheRun() {
    int code = execute("run", "get", RUN_ID, "--output", "json", "--cluster", node.endpoint());

    assertThat(code).isZero();
    assertThat(out.toString()).contains("\"attempts\": [{").contains("\"refusedReports\": [{");
  }

  @Test
  void runCancelSendsTheRunIdAndSaysWhatHappened() {
    int code = execute("run", "cancel", RUN_ID, "--cluster", node.endpoint());

    assertThat(code).isZero();
    assertThat(((CancelRunRequest) node.requests.peek()).getRunId()).isEqualTo(RUN_ID);
    assertThat(out.toString()).startsWith("cancel requested for run " + RUN_ID);
  }

  @Test
  void cancellingAnEndedRunIsARefusal() {
    int code = execute("run", "cancel", "backup@2026-11-25T06:00:01Z", "--cluster", node.endpoint());

    assertThat(code).isEqualTo(ExitCodes.USER_ERROR);
    assertThat(err.toString()).contains("has already ended");
  }

  @Test
  void anUnknownStateIsAUsageError() {
    int code = execute("run", "list", "--state", "sleeping", "--cluster", node.endpoint());

    assertThat(code).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("expected one of QUEUED, LEASED");
    assertThat(node.requests).isEmpty();
  }

  @Test
  void runCommandsHaveHelp() {
    for (String sub : new String[] {"list", "cancel", "get"}) {
      out.getBuffer().setLength(0);
      assertThat(execute("run", sub, "--help")).isZero();
      assertThat(out.toString()).startsWith("Usage: raftcron run " + sub);
    }
  }

  private int execute(String... args) {
    return Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
  }

  private static Timestamp timestamp(String instant) {
    Instant i = Instant.parse(instant);
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
