package io.raftcron.bench;

import java.time.Duration;
import picocli.CommandLine.Option;

/** The jobs-every-second scenarios' options. */
final class WindowOptions {
  @Option(names = "--jobs", defaultValue = "1000", description = "Jobs firing every second (default ${DEFAULT-VALUE}).")
  int jobs;

  @Option(names = "--duration", defaultValue = "20", description = "Measured seconds (default ${DEFAULT-VALUE}).")
  int seconds;

  @Option(names = "--warmup", defaultValue = "5", description = "Seconds before measuring (default ${DEFAULT-VALUE}).")
  int warmup;

  void check() {
    if (jobs < 1 || seconds < 1 || warmup < 0) {
      throw new IllegalArgumentException("--jobs and --duration must be at least 1, --warmup at least 0");
    }
  }

  Duration warmup() {
    return Duration.ofSeconds(warmup);
  }
}
