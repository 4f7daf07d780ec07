package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.Status;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.proto.CompleteRunResponse;
import io.raftcron.proto.Completion;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.sm.Limits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CompleteRuns through three in-process nodes: each completion answered in the request's order
 * (a stale token refused among accepted ones, each applied as CompleteRun would), and a malformed
 * request refused whole with nothing applied.
 */
class CompleteRunsClusterTest {
  private static final String WORKER = "w1";

  @TempDir Path dir;

  private static JobSpec yearly(String name) {
    return JobSpec.newBuilder()
        .setName(name)
        .setSchedule("0 0 1 1 *")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
        .build();
  }

  private static Completion completion(Run run, long token, boolean succeeded) {
    return Completion.newBuilder()
        .setRunId(run.getRunId())
        .setFencingToken(token)
        .setWorker(WORKER)
        .setSucceeded(succeeded)
        .setOutcome(succeeded ? RunState.SUCCEEDED : RunState.FAILED)
        .setExitCode(succeeded ? 0 : 1)
        .build();
  }

  private static Status.Code codeOf(Runnable call) {
    try {
      call.run();
      return Status.Code.OK;
    } catch (RaftcronException e) {
      return e.code();
    }
  }

  @Test
  void completionsInOneCallAreAnsweredInOrderAndAMalformedCallChangesNothing() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(30));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      cluster.awaitLeader(Duration.ofSeconds(30));
      for (String job : List.of("a", "b", "c")) {
        client.createJob(yearly(job));
        client.triggerJob(job, "now");
      }
      List<Run> leased = new ArrayList<>();
      while (leased.size() < 3) {
        leased.addAll(client.pollRuns(WORKER, 3 - leased.size(), Duration.ofSeconds(5)));
      }
      Map<String, Run> byJob = leased.stream().collect(Collectors.toMap(Run::getJob, Function.identity()));
      Run a = byJob.get("a");
      Run b = byJob.get("b");
      Run c = byJob.get("c");

      // Malformed: refused whole, nothing applied.
      Completion otherWorkers = completion(c, c.getFencingToken(), true).toBuilder().setWorker("w2").build();
      assertThat(codeOf(() -> client.completeRuns(WORKER, List.of(completion(a, a.getFencingToken(), true), otherWorkers))))
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(codeOf(() -> client.completeRuns(WORKER, List.of()))).isEqualTo(Status.Code.INVALID_ARGUMENT);
      assertThat(codeOf(() -> client.completeRuns(WORKER,
              Collections.nCopies(Limits.MAX_COMPLETIONS_PER_CALL + 1, completion(a, a.getFencingToken(), true)))))
          .isEqualTo(Status.Code.INVALID_ARGUMENT);
      Completion noRunId = completion(a, a.getFencingToken(), true).toBuilder().clearRunId().build();
      assertThatThrownBy(() -> client.completeRuns(WORKER, List.of(noRunId)))
          .isInstanceOf(RaftcronException.class)
          .hasMessageContaining("completions[0]");
      assertThat(client.getRun(a.getRunId()).getState()).isEqualTo(RunState.LEASED);

      List<CompleteRunResponse> answers = client.completeRuns(WORKER, List.of(
          completion(a, a.getFencingToken(), true),
          completion(b, b.getFencingToken() + 1, true), // not b's token: refused as stale
          completion(c, c.getFencingToken(), false))).getResultsList();

      assertThat(answers).extracting(CompleteRunResponse::getAccepted).containsExactly(true, false, true);
      assertThat(answers.get(1).getCode()).isNotEqualTo(ResultCode.OK);
      assertThat(client.getRun(a.getRunId()).getState()).isEqualTo(RunState.SUCCEEDED);
      assertThat(client.getRun(b.getRunId()).getState()).isEqualTo(RunState.LEASED);
      assertThat(client.getRun(c.getRunId()).getState()).isEqualTo(RunState.FAILED);
      assertThat(cluster.fatalError()).isNull();
    }
  }
}
