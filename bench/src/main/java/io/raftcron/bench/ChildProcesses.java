package io.raftcron.bench;

import java.io.IOException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts the benchmark's child processes (server nodes, peer schedulers) and kills those still
 * running when this JVM exits: a benchmark stopped with Ctrl-C or SIGTERM would otherwise leave
 * them firing, unwatched, on the machine's two cores.
 */
public final class ChildProcesses {
  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(
        new Thread(() -> LIVE.forEach(Process::destroyForcibly), "bench-child-processes"));
  }

  private ChildProcesses() {}

  /** Starts {@code builder}'s process, to be killed at this JVM's exit unless it ended before. */
  public static Process start(ProcessBuilder builder) throws IOException {
    Process process = builder.start();
    LIVE.add(process);
    process.onExit().thenRun(() -> LIVE.remove(process));
    return process;
  }
}
