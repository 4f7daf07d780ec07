package io.raftcron.client.worker;

import io.raftcron.proto.ShellExecutor;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs a run's shell executor as {@code /bin/sh -c COMMAND}. The child gets the worker's
 * environment, the job's env, and RAFTCRON_JOB, RAFTCRON_SLOT, RAFTCRON_RUN_ID,
 * RAFTCRON_ATTEMPT, RAFTCRON_FENCING_TOKEN. Exit 0 is success; otherwise the error is the last
 * 4 KiB of stderr. stdout is discarded.
 *
 * <p>The command runs in its own session and process group ({@code setsid}, where available).
 * When the worker stops the run (timeout, cancel, lost lease), the handler's thread is interrupted
 * and the whole process tree is killed with SIGKILL: the group, then every descendant.
 */
public final class ShellHandler implements JobHandler {
  static final int ERROR_TAIL_BYTES = 4096;
  // A background child can keep stderr open after the shell exits: don't wait on it forever.
  private static final long STDERR_DRAIN_MS = 1_000;
  // An interrupted command that exits within this time ended on its own: it is not killed.
  private static final long EXIT_GRACE_MS = 50;
  private static final long KILL_WAIT_MS = 2_000;
  private static final String SETSID_PATH = "/usr/bin/setsid";
  private static final Supplier<Boolean> SETSID = memoize(ShellHandler::probeSetsid);

  @Override
  public Outcome handle(RunContext run) throws IOException, InterruptedException {
    if (!run.run().getExecutor().hasShell()) {
      return Outcome.failure(-1, "run " + run.runId() + " has no shell executor");
    }
    ShellExecutor shell = run.run().getExecutor().getShell();
    boolean ownGroup = Boolean.TRUE.equals(SETSID.get()); // unknown yet: this run without its own group
    List<String> command = new ArrayList<>();
    if (ownGroup) {
      command.addAll(List.of(SETSID_PATH, "-w"));
    }
    command.addAll(List.of("/bin/sh", "-c", shell.getCommand()));
    ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    if (!shell.getWorkingDir().isEmpty()) {
      builder.directory(new File(shell.getWorkingDir()));
    }
    Map<String, String> env = builder.environment();
    env.putAll(shell.getEnvMap());
    env.putAll(raftcronVariables(run));

    Process process = builder.start();
    process.getOutputStream().close();
    TailReader stderr = new TailReader(process.getErrorStream(), ERROR_TAIL_BYTES);
    Thread reader = new Thread(stderr, "stderr-" + run.runId());
    reader.setDaemon(true);
    reader.start();
    int exitCode;
    try {
      exitCode = process.waitFor();
    } catch (InterruptedException e) {
      // Stopped by the worker (timeout, cancel, lost lease, shutdown). If the command has just
      // ended on its own, its outcome stands; otherwise the whole process tree is killed.
      boolean exited;
      try {
        exited = process.waitFor(EXIT_GRACE_MS, TimeUnit.MILLISECONDS);
      } catch (InterruptedException again) {
        exited = false;
      }
      if (!exited) {
        killTree(process, ownGroup);
        throw e;
      }
      exitCode = process.exitValue();
      Thread.currentThread().interrupt();
    }
    joinQuietly(reader);
    if (exitCode == 0) {
      return Outcome.success();
    }
    String tail = stderr.tail().stripTrailing();
    return Outcome.failure(exitCode, tail.isEmpty() ? "exit code " + exitCode : tail);
  }

  /**
   * Kills the command and everything it started: its process group (the command runs in its own
   * session when {@code setsid} is available, so this also reaches daemonized grandchildren), then
   * every descendant still known, then the root. Waits briefly for the root to be gone.
   */
  static void killTree(Process process, boolean ownGroup) {
    List<ProcessHandle> descendants = process.descendants().toList();
    if (ownGroup) {
      killGroup(process.pid());
    }
    process.destroyForcibly();
    descendants.forEach(ProcessHandle::destroyForcibly);
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    try {
      process.waitFor(KILL_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void killGroup(long pgid) {
    try {
      Process kill = new ProcessBuilder("/bin/sh", "-c", "kill -9 -" + pgid + " 2>/dev/null")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      kill.waitFor(KILL_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (IOException e) {
      // The per-process kills below still run.
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Waits for the stderr reader up to STDERR_DRAIN_MS, keeping an interrupt for the caller. */
  private static void joinQuietly(Thread reader) {
    boolean interrupted = Thread.interrupted();
    try {
      reader.join(STDERR_DRAIN_MS);
    } catch (InterruptedException e) {
      interrupted = true;
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Whether {@code setsid -w} works here (util-linux); probed until the answer is known (a probe cut
   * short by an interrupt or a loaded host says nothing, and is not kept for the JVM's life).
   */
  private static Boolean probeSetsid() {
    if (!Files.isExecutable(Path.of(SETSID_PATH))) {
      return false;
    }
    try {
      Process probe = new ProcessBuilder(SETSID_PATH, "-w", "/bin/sh", "-c", "exit 0")
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
      if (!probe.waitFor(5, TimeUnit.SECONDS)) {
        probe.destroyForcibly();
        return null;
      }
      return probe.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  static Map<String, String> raftcronVariables(RunContext run) {
    return Map.of(
        "RAFTCRON_JOB", run.run().getJob(),
        "RAFTCRON_SLOT", run.slot().toString(), // ISO_INSTANT: RFC 3339 in UTC
        "RAFTCRON_RUN_ID", run.runId(),
        "RAFTCRON_ATTEMPT", Integer.toString(run.attempt()),
        "RAFTCRON_FENCING_TOKEN", Long.toString(run.fencingToken()));
  }

  /** Reads a stream to its end, keeping only the last {@code capacity} bytes. */
  private static final class TailReader implements Runnable {
    private final InputStream in;
    private final byte[] ring;
    private long total;

    TailReader(InputStream in, int capacity) {
      this.in = in;
      this.ring = new byte[capacity];
    }

    @Override
    public void run() {
      byte[] chunk = new byte[8192];
      try (in) {
        int n;
        while ((n = in.read(chunk)) > 0) {
          append(chunk, n);
        }
      } catch (IOException e) {
        // The process is gone or the stream closed: keep what was read.
      }
    }

    private synchronized void append(byte[] chunk, int n) {
      for (int i = 0; i < n; i++) {
        ring[(int) (total++ % ring.length)] = chunk[i];
      }
    }

    synchronized String tail() {
      int size = (int) Math.min(total, ring.length);
      byte[] out = new byte[size];
      int start = (int) ((total - size) % ring.length);
      for (int i = 0; i < size; i++) {
        out[i] = ring[(start + i) % ring.length];
      }
      return new String(out, StandardCharsets.UTF_8);
    }
  }

  /** {@code supplier}'s first non-null answer, kept; null answers are asked again. */
  private static <T> Supplier<T> memoize(Supplier<T> supplier) {
    return new Supplier<>() {
      private volatile T value;

      @Override
      public T get() {
        T v = value;
        if (v == null) {
          synchronized (this) {
            if (value == null) {
              value = supplier.get();
            }
            v = value;
          }
        }
        return v;
      }
    };
  }
}
