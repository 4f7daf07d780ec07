package io.raftcron.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution archive built by `package` unpacks into bin/, lib/ and conf/, its launcher runs, and its systemd
 * unit passes systemd-analyze once pointed at the unpacked folder.
 */
class DistributionArchiveIT {
  @TempDir Path dir;

  @Test
  void theArchiveUnpacksAndItsLauncherAndUnitWork() throws Exception {
    Path archive;
    try (Stream<Path> files = Files.list(Path.of("target"))) {
      List<Path> archives = files.filter(p -> p.getFileName().toString().matches("raftcron-.+\\.tar\\.gz")).toList();
      assertThat(archives).as("target/raftcron-<version>.tar.gz").hasSize(1);
      archive = archives.get(0);
    }
    String name = archive.getFileName().toString();
    String version = name.substring("raftcron-".length(), name.length() - ".tar.gz".length());

    assertThat(run(dir, "tar", "xzf", archive.toAbsolutePath().toString())).isEmpty();
    Path home = dir.resolve("raftcron-" + version);
    assertThat(home.resolve("bin/raftcron")).isExecutable();
    assertThat(home.resolve("lib/raftcron.jar")).isRegularFile();
    assertThat(home.resolve("conf/raftcron.yaml")).isRegularFile();
    assertThat(home.resolve("README.md")).isRegularFile();

    assertThat(run(dir, home.resolve("bin/raftcron").toString(), "--version").strip())
        .isEqualTo("raftcron " + version);

    Path unit = dir.resolve("raftcron.service");
    Files.writeString(unit, Files.readString(home.resolve("conf/systemd/raftcron.service"))
        .replace("/opt/raftcron", home.toString()));
    assertThat(run(dir, "systemd-analyze", "verify", unit.toString())).isEmpty();
  }

  /** Runs a command to completion; fails unless it exits 0; returns its output (stdout and stderr). */
  private static String run(Path cwd, String... command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(cwd, "out", ".txt");
    Process p = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
    }
    String output = Files.readString(out);
    Files.delete(out);
    assertThat(p.exitValue()).as("%s exit code; output: %s", String.join(" ", command), output).isZero();
    return output;
  }
}
