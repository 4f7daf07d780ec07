package io.raftcron.bench;

import io.raftcron.bench.peers.PeerRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.commons.io.FileUtils;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The same jobs-every-second workload on a peer scheduler: two JVMs of Quartz (clustered JDBC)
 * or db-scheduler on one PostgreSQL, with the same figures as {@code fire}.
 */
@Command(name = "peer", mixinStandardHelpOptions = true,
    description = "Quartz or db-scheduler, two JVMs on PostgreSQL, N jobs every second: fires/s, lateness, duplicates.")
final class PeerScenario implements Callable<Integer> {
  @Parameters(index = "0", description = "quartz or db-scheduler")
  String scheduler;

  @Mixin WindowOptions options;

  @Option(names = "--jdbc-url", required = true, description = "PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:55432/bench")
  String jdbcUrl;

  @Option(names = "--db-user", defaultValue = "bench")
  String user;

  @Option(names = "--db-password", defaultValue = "bench")
  String password;

  @Option(names = "--postgres-pid", description = "The postmaster's pid: its CPU time (and its backends') is counted too.")
  Long postgresPid;

  @Override
  public Integer call() throws Exception {
    options.check();
    if (!scheduler.equals("quartz") && !scheduler.equals("db-scheduler")) {
      throw new IllegalArgumentException("the peer is quartz or db-scheduler, not '" + scheduler + "'");
    }
    Path dir = Files.createTempDirectory("raftcron-peer-");
    PeerRun run = new PeerRun(scheduler, jdbcUrl, user, password, options.jobs, dir, postgresPid);
    try {
      run.startNodes();
      Window window = Window.after(options.warmup(), options.seconds);
      window.awaitStart();
      double load = Machine.loadAverage();
      double cpu0 = run.cpuSeconds();
      window.awaitEnd();
      double cpu = run.cpuSeconds() - cpu0;
      window.settle();
      PeerRun.Tally tally = run.stopAndTally(window.start(), window.end());
      long expected = (long) options.jobs * options.seconds;
      Result result = new Result(scheduler, load)
          .put("nodes", 2)
          .put("jobs", options.jobs)
          .put("window_s", options.seconds)
          .put("committed_fires", tally.fires())
          .put("fires_per_s", tally.fires() / (double) options.seconds)
          .latency("fire_lateness_ms", tally.lateness())
          .put("duplicates", tally.duplicates())
          .put("missed_slots", Math.max(0, expected - tally.windowSlotsExecuted()))
          .put("cpu_s", cpu)
          .put("cpu_s_per_1000_fires", tally.fires() == 0 ? 0.0 : cpu * 1000 / tally.fires())
          .put("cpu_includes_postgres", postgresPid != null);
      result.line(String.format("%s, 2 JVMs on PostgreSQL, %d jobs every second, %d s: %d executions started "
              + "(%.0f/s of %d expected/s), %d duplicates, %d of the window's slots never executed", scheduler, options.jobs, options.seconds, tally.fires(),
              tally.fires() / (double) options.seconds, options.jobs, tally.duplicates(),
              Math.max(0, expected - tally.windowSlotsExecuted())))
          .line("lateness slot → job started, of the executions started in the window: " + Result.ms(tally.lateness()))
          .line(String.format("CPU %.1f s in the window (%.3f s per 1000 fires, both JVMs%s)", cpu,
              tally.fires() == 0 ? 0.0 : cpu * 1000 / tally.fires(), postgresPid != null ? " and PostgreSQL" : ""));
      result.print(System.out, System.err);
      return 0;
    } finally {
      run.close();
      FileUtils.deleteDirectory(dir.toFile());
    }
  }
}
