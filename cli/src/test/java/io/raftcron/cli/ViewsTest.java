package io.raftcron.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.NodeStatus;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ViewsTest {
  private static final Run SUCCEEDED = Run.newBuilder()
      .setRunId("backup@2026-11-25T06:00:02Z")
      .setJob("backup")
      .setSlot(timestamp("2026-11-25T06:00:02Z"))
      .setAttempt(1)
      .setState(RunState.SUCCEEDED)
      .setFiredBy("n2")
      .setTerm(3)
      .setFireIndex(120)
      .setWorker("host-4242")
      .setFencingToken(121)
      .setStartedAt(timestamp("2026-11-25T06:00:02.250Z"))
      .setFinishedAt(timestamp("2026-11-25T06:00:03Z"))
      .build();
  private static final Run QUEUED = Run.newBuilder()
      .setRunId("backup@2026-11-25T06:00:04Z")
      .setJob("backup")
      .setSlot(timestamp("2026-11-25T06:00:04Z"))
      .setAttempt(1)
      .setState(RunState.QUEUED)
      .setFiredBy("n2")
      .setTerm(3)
      .setFireIndex(125)
      .build();

  @Test
  void runsTableHasOneAlignedRowPerRun() {
    String table = render(out -> Views.runs(out, List.of(QUEUED, SUCCEEDED)));

    assertThat(table.lines()).containsExactly(
        "RUN ID                       SLOT                  ATTEMPT  STATE      FIRED BY  TERM  FIRE IDX  WORKER     TOKEN  STARTED                   FINISHED              EXIT  ERROR",
        "backup@2026-11-25T06:00:04Z  2026-11-25T06:00:04Z  1        QUEUED     n2        3     125       -          -      -                         -                     -     -",
        "backup@2026-11-25T06:00:02Z  2026-11-25T06:00:02Z  1        SUCCEEDED  n2        3     120       host-4242  121    2026-11-25T06:00:02.250Z  2026-11-25T06:00:03Z  0     -");
  }

  @Test
  void runsTableShowsTheEndOfALongErrorOnOneLine() {
    Run failed = SUCCEEDED.toBuilder().setState(RunState.FAILED).setExitCode(2)
        .setError("x".repeat(100) + "\nfatal: disk full\n").build();

    String row = render(out -> Views.runs(out, List.of(failed))).lines().toList().get(1);

    assertThat(row).endsWith("  2     …" + "x".repeat(42) + " fatal: disk full");
  }

  @Test
  void runsJsonIsTheListRunsResponseWithCamelCaseNamesAndRfc3339Times() {
    String json = Views.json(ListRunsResponse.newBuilder().addRuns(SUCCEEDED).build());

    assertThat(json).startsWith("{\n  \"runs\": [{");
    assertThat(json)
        .contains("\"runId\": \"backup@2026-11-25T06:00:02Z\"")
        .contains("\"slot\": \"2026-11-25T06:00:02Z\"")
        .contains("\"fencingToken\": \"121\"") // int64 is a string in protobuf JSON
        .contains("\"state\": \"SUCCEEDED\"")
        .contains("\"startedAt\": \"2026-11-25T06:00:02.250Z\"")
        .contains("\"exitCode\": 0") // default values are printed too
        .contains("\"error\": \"\"")
        .doesNotContain("run_id");
  }

  @Test
  void clusterStatusShowsLeaderAndNodes() {
    ClusterStatus status = ClusterStatus.newBuilder()
        .setLeaderId("n1")
        .setTerm(4)
        .addNodes(NodeStatus.newBuilder().setNodeId("n1").setRaftAddr("127.0.0.1:7001")
            .setGrpcAddr("127.0.0.1:8001").setRole("LEADER").setTerm(4).setAppliedIndex(57))
        .addNodes(NodeStatus.newBuilder().setNodeId("n2").setRaftAddr("127.0.0.1:7002")
            .setRole("UNREACHABLE").setError("connection refused"))
        .build();

    assertThat(render(out -> Views.cluster(out, status)).lines()).containsExactly(
        "leader: n1  term: 4",
        "NODE  RAFT ADDR       GRPC ADDR       ROLE         TERM  APPLIED  ERROR",
        "n1    127.0.0.1:7001  127.0.0.1:8001  LEADER       4     57       -",
        "n2    127.0.0.1:7002  -               UNREACHABLE  0     0        connection refused");
  }

  private static String render(Consumer<PrintWriter> view) {
    StringWriter text = new StringWriter();
    try (PrintWriter out = new PrintWriter(text)) {
      view.accept(out);
    }
    return text.toString();
  }

  private static Timestamp timestamp(String rfc3339) {
    Instant instant = Instant.parse(rfc3339);
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }
}
