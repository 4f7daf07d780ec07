package io.raftcron.client.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Timestamp;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Run;
import io.raftcron.proto.ShellExecutor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
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

  @Test
  void anInterruptKillsTheWholeProcessTreeIncludingADetachedGrandchild() throws Exception {
    // A child sleep, and a grandchild whose parent subshell exits at once (reparented away from
    // the shell, so only the process group still ties it to the command).
    String command = "sleep 300 & echo $! > child.pid; (sleep 301 & echo $! > orphan.pid); wait";
    RunContext run = run(ShellExecutor.newBuilder().setCommand(command).setWorkingDir(dir.toString()));
    AtomicReference<Throwable> thrown = new AtomicReference<>();
    Thread handler = new Thread(() -> {
      try {
        new ShellHandler().handle(run);
      } catch (Throwable t) {
        thrown.set(t);
      }
    });
    handler.start();
    long child = awaitPid(dir.resolve("child.pid"));
    long orphan = awaitPid(dir.resolve("orphan.pid"));
    assertThat(alive(child)).isTrue();
    assertThat(alive(orphan)).isTrue();

    handler.interrupt();
    handler.join(10_000);

    assertThat(handler.isAlive()).isFalse();
    assertThat(thrown.get()).isInstanceOf(InterruptedException.class);
    await().atMost(Duration.ofSeconds(5)).until(() -> !alive(child) && !alive(orphan));
  }

  @Test
  void aCommandThatAlreadyEndedWhenInterruptedKeepsItsOutcome() throws Exception {
    Thread.currentThread().interrupt();
    try {
      // Interrupted before it even waits: the quick command still gets its grace to exit.
      Outcome outcome = new ShellHandler().handle(run(ShellExecutor.newBuilder().setCommand("exit 3")));
      assertThat(outcome.exitCode()).isEqualTo(3);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } catch (InterruptedException e) {
      // Acceptable only if the shell had not even exited within the grace: not expected here.
      throw new AssertionError("the command ended on its own but was reported as killed", e);
    } finally {
      Thread.interrupted();
    }
  }

  private static long awaitPid(Path file) {
    await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && !Files.readString(file).isBlank());
    try {
      return Long.parseLong(Files.readString(file).strip());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Alive and not a zombie (a killed orphan may wait for a reaper that never comes in a container). */
  private static boolean alive(long pid) {
    Path stat = Path.of("/proc", Long.toString(pid), "stat");
    try {
      String s = Files.readString(stat);
      char state = s.charAt(s.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (java.io.IOException e) {
      return false;
    }
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
