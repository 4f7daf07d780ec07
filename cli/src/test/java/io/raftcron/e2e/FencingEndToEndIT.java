package io.raftcron.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.proto.Attempt;
import io.raftcron.proto.Job;
import io.raftcron.proto.ListRunsResponse;
import io.raftcron.proto.RefusedReport;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fencing with real processes: three server JVMs with 4 s leases and two worker JVMs. The worker
 * running a run is paused with SIGSTOP past its lease; the run is leased again, under a new
 * fencing token, to the other worker, which completes it. When the first worker resumes
 * (SIGCONT) and reports, its completion is refused as stale and recorded on the run, which stays
 * SUCCEEDED once, under the second worker's token.
 */
class FencingEndToEndIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;
  /** The job under test: a fresh name whenever it has to be made again. */
  private String job;

  @Test
  void aWorkerPausedPastItsLeaseIsFencedOffWhenItResumes() throws Exception {
    Path witness = dir.resolve("witness.txt");
    try (NodeProcesses cluster = new NodeProcesses(dir, 3)) {
      for (int i = 0; i < 3; i++) {
        cluster.startNode(i, "--lease-seconds", "4");
      }
      try {
        pauseAResumeAndCheck(cluster, witness);
      } catch (Throwable t) {
        cluster.dumpLogs(40);
        throw t;
      }
    }
  }

  private void pauseAResumeAndCheck(NodeProcesses cluster, Path witness) throws Exception {
    await().atMost(WAIT).ignoreExceptions().pollInterval(Duration.ofSeconds(1)).until(() -> cluster.leader() != null);
    Process first = cluster.startWorker("w1", 1);

    // One slot, a few seconds from now (a daily schedule); the command records its token, then runs until the
    // test releases it (at most 60 s), so that it cannot finish, on a slow machine, before its worker is paused.
    Path release = dir.resolve("release");
    createJobFiringOnceSoon(cluster, "echo \"start $RAFTCRON_JOB $RAFTCRON_FENCING_TOKEN\" >> " + witness
        + "; i=0; while [ ! -e " + release + " ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done"
        + "; echo \"end $RAFTCRON_JOB $RAFTCRON_FENCING_TOKEN\" >> " + witness);

    await().atMost(WAIT).ignoreExceptions().pollInterval(Duration.ofMillis(200)).until(() -> starts(witness).size() == 1);
    long firstToken = starts(witness).get(0);
    Run leased = onlyRun(cluster);
    assertThat(leased.getState()).isEqualTo(RunState.LEASED);
    assertThat(leased.getWorker()).isEqualTo("w1");
    assertThat(leased.getFencingToken()).isEqualTo(firstToken);

    cluster.signal(first, "STOP");
    try {
      Files.createFile(release);
      cluster.startWorker("w2", 1);
      // The paused worker's lease runs out; the run is leased again to w2 and completes there.
      await().atMost(WAIT).ignoreExceptions().pollInterval(Duration.ofSeconds(1))
          .until(() -> onlyRun(cluster).getState() == RunState.SUCCEEDED);
    } finally {
      cluster.signal(first, "CONT");
    }
    Run succeeded = onlyRun(cluster);
    long secondToken = succeeded.getFencingToken();
    assertThat(succeeded.getWorker()).isEqualTo("w2");
    assertThat(secondToken).isGreaterThan(firstToken);
    assertThat(succeeded.getExpiredLeases()).isEqualTo(1);
    assertThat(starts(witness)).containsExactly(firstToken, secondToken);

    // The resumed worker reports its (finished) execution: refused as stale, and recorded.
    await().atMost(WAIT).ignoreExceptions().pollInterval(Duration.ofSeconds(1))
        .until(() -> onlyRun(cluster).getRefusedReportsCount() > 0);
    Run run = onlyRun(cluster);
    assertThat(run.getRefusedReportsList())
        .extracting(RefusedReport::getWorker, RefusedReport::getFencingToken)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("w1", firstToken));
    assertThat(run.getRefusedReports(0).getReason()).contains("stale");
    assertThat(run.getState()).isEqualTo(RunState.SUCCEEDED);
    assertThat(run.getFencingToken()).isEqualTo(secondToken);
    assertThat(run.getWorker()).isEqualTo("w2");
    assertThat(run.getAttemptsList())
        .extracting(Attempt::getOutcome, Attempt::getFencingToken, Attempt::getWorker)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(RunState.SUCCEEDED, secondToken, "w2"));

    // The refusal is what the CLI shows too.
    String shown = cluster.cli("run", "get", run.getRunId());
    assertThat(shown).contains("refused completions (stale fencing token):").contains("w1");
  }

  /**
   * Creates a job with a daily schedule whose slot is some seconds ahead. On a slow machine the
   * create may land after that slot (which then is tomorrow's): then another job is made, under a
   * new name so that the first one's run cannot be mistaken for this one's.
   */
  private void createJobFiringOnceSoon(NodeProcesses cluster, String command) throws Exception {
    for (int attempt = 1; ; attempt++) {
      job = "fence-" + attempt;
      ZonedDateTime at = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(15).truncatedTo(ChronoUnit.SECONDS);
      cluster.cli("job", "create", job,
          "--cron", at.getSecond() + " " + at.getMinute() + " " + at.getHour() + " * * *", "--command", command);
      Job created = cluster.cliJson(Job.newBuilder(), "job", "get", job).build();
      if (created.getNextSlot().getSeconds() == at.toEpochSecond() || attempt == 3) {
        assertThat(created.getNextSlot().getSeconds()).as("the job's next slot").isEqualTo(at.toEpochSecond());
        return;
      }
      cluster.cli("job", "delete", job);
    }
  }

  /** The fencing tokens of the executions that started, in order. */
  private List<Long> starts(Path witness) throws Exception {
    if (!Files.exists(witness)) {
      return List.of();
    }
    return Files.readAllLines(witness).stream()
        .filter(l -> l.startsWith("start " + job + " "))
        .map(l -> Long.parseLong(l.substring(("start " + job + " ").length()).strip()))
        .toList();
  }

  private Run onlyRun(NodeProcesses cluster) throws Exception {
    ListRunsResponse.Builder runs = cluster.cliJson(ListRunsResponse.newBuilder(), "run", "list", "--job", job);
    assertThat(runs.getRunsList()).hasSize(1);
    return runs.getRuns(0);
  }
}
