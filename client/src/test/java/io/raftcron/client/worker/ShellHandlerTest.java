package io.raftcron.client.worker;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Run;
import io.raftcron.proto.ShellExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShellHandlerTest {
  private static final Instant SLOT = Instant.parse("2026-11-25T06:00:02Z");

  @TempDir Path dir;

  @Test
  void setsTheRunVariablesJobEnvAndWorkingDir() throws Exception {
    Path out = dir.resolve("env.txt");
    String command = "printf '%s\\n' \"$RAFTCRON_JOB\" \"$RAFTCRON_SLOT\" \"$RAFTCRON_RUN_ID\""
        + " \"$RAFTCRON_ATTEMPT\" \"$RAFTCRON_FENCING_TOKEN\" \"$GREETING\" \"$(pwd)\" > env.txt";
    RunContext run = run(ShellExecutor.newBuilder()
        .setCommand(command)
        .putEnv("GREETING", "hello world")
        .setWorkingDir(dir.toString()));

    Outcome outcome = new ShellHandler().handle(run);

    assertThat(outcome).isEqualTo(Outcome.success());
    assertThat(Files.readAllLines(out)).containsExactly(
        "backup",
        "2026-11-25T06:00:02Z",
        "backup@2026-11-25T06:00:02Z",
        "3",
        "42",
        "hello world",
        dir.toRealPath().toString());
  }

  @Test
  void reportsExitCodeAndStderr() throws Exception {
    Outcome outcome = new ShellHandler().handle(run(ShellExecutor.newBuilder()
        .setCommand("echo to stdout; echo 'disk full' >&2; exit 7")));

    assertThat(outcome).isEqualTo(Outcome.failure(7, "disk full"));
  }

  @Test
  void keepsOnlyTheTailOfALongStderr() throws Exception {
    // 2000 lines of 10 bytes, the last one marked; stdout is also large and must not block.
    String command = "i=0; while [ $i -lt 2000 ]; do printf 'line-%04d\\n' $i >&2; echo $i; i=$((i+1)); done;"
        + " echo last-line >&2; exit 1";

    Outcome outcome = new ShellHandler().handle(run(ShellExecutor.newBuilder().setCommand(command)));

    assertThat(outcome.exitCode()).isEqualTo(1);
    assertThat(outcome.error()).endsWith("line-1999\nlast-line");
    assertThat(outcome.error().length()).isLessThanOrEqualTo(ShellHandler.ERROR_TAIL_BYTES);
    assertThat(outcome.error()).doesNotContain("line-0000");
  }

  @Test
  void failsARunWithoutShellExecutor() throws Exception {
    Outcome outcome = new ShellHandler().handle(RunContext.of(Run.newBuilder().setRunId("x@1").build()));

    assertThat(outcome.succeeded()).isFalse();
    assertThat(outcome.error()).contains("no shell executor");
  }

  private static RunContext run(ShellExecutor.Builder shell) {
    return RunContext.of(Run.newBuilder()
        .setRunId("backup@2026-11-25T06:00:02Z")
        .setJob("backup")
        .setSlot(Timestamp.newBuilder().setSeconds(SLOT.getEpochSecond()))
        .setAttempt(3)
        .setFencingToken(42)
        .setExecutor(Executor.newBuilder().setShell(shell))
        .build());
  }
}
