package io.raftcron.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A benchmark JVM that exits, however it exits, leaves none of its children running. */
class ChildProcessesTest {
  /** Starts a long sleep as its child, prints the child's pid, and exits without stopping it. */
  public static final class ExitingParent {
    public static void main(String[] args) throws Exception {
      Process child = ChildProcesses.start(new ProcessBuilder("sleep", "300"));
      System.out.println(child.pid());
      System.out.flush();
      System.exit(0);
    }
  }

  @Test
  void aChildStillRunningWhenItsParentExitsIsKilled() throws Exception {
    Process parent = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m",
            "-cp", System.getProperty("java.class.path"), ExitingParent.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    long childPid;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
      childPid = Long.parseLong(out.readLine().trim());
    }
    assertThat(parent.waitFor(30, TimeUnit.SECONDS)).as("the parent exited").isTrue();
    // Gone already, or gone within a bound (onExit polls a process that is not our child).
    ProcessHandle.of(childPid).ifPresent(child -> child.onExit().orTimeout(10, TimeUnit.SECONDS).join());
    assertThat(ProcessHandle.of(childPid).filter(ProcessHandle::isAlive)).as("the child %d", childPid).isEmpty();
  }
}
