package io.raftcron.client.worker;

import io.raftcron.proto.ShellExecutor;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Runs a run's shell executor as {@code /bin/sh -c COMMAND}. The child gets the worker's
 * environment, the job's env, and RAFTCRON_JOB, RAFTCRON_SLOT, RAFTCRON_RUN_ID,
 * RAFTCRON_ATTEMPT, RAFTCRON_FENCING_TOKEN. Exit 0 is success; otherwise the error is the last
 * 4 KiB of stderr. stdout is discarded.
 */
public final class ShellHandler implements JobHandler {
  static final int ERROR_TAIL_BYTES = 4096;
  // A background child can keep stderr open after the shell exits: don't wait on it forever.
  private static final long STDERR_DRAIN_MS = 1_000;

  @Override
  public Outcome handle(RunContext run) throws IOException, InterruptedException {
    if (!run.run().getExecutor().hasShell()) {
      return Outcome.failure(-1, "run " + run.runId() + " has no shell executor");
    }
    ShellExecutor shell = run.run().getExecutor().getShell();
    ProcessBuilder builder = new ProcessBuilder("/bin/sh", "-c", shell.getCommand())
        .redirectOutput(ProcessBuilder.Redirect.DISCARD);
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
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      throw e;
    }
    reader.join(STDERR_DRAIN_MS);
    if (exitCode == 0) {
      return Outcome.success();
    }
    String tail = stderr.tail().stripTrailing();
    return Outcome.failure(exitCode, tail.isEmpty() ? "exit code " + exitCode : tail);
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
}
