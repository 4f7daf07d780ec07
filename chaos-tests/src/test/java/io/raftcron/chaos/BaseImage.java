package io.raftcron.chaos;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code raftcron-base:local}: an almost empty root filesystem (standard folders; bin, lib, lib64
 * and sbin linking into usr/) made with {@code docker import}, since no image can be pulled here.
 * Containers run it with the host's /usr (JDK, sh, nft, date) bind-mounted read-only.
 */
final class BaseImage {
  static final String NAME = "raftcron-base:local";

  private BaseImage() {}

  static synchronized void ensure(DockerClient docker) throws IOException, InterruptedException {
    try {
      docker.inspectImageCmd(NAME).exec();
      return;
    } catch (NotFoundException e) {
      // build it below
    }
    Path skel = Files.createTempDirectory("raftcron-base");
    try {
      for (String dir : List.of("etc", "tmp", "proc", "sys", "dev", "run", "var/tmp", "usr", "root", "home", "data",
          "app", "witness", "logs")) {
        Files.createDirectories(skel.resolve(dir));
      }
      for (String link : List.of("bin", "lib", "lib64", "sbin")) {
        Files.createSymbolicLink(skel.resolve(link), Path.of("usr/" + link));
      }
      Files.writeString(skel.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n");
      Files.writeString(skel.resolve("etc/group"), "root:x:0:\n");
      Files.writeString(skel.resolve("etc/nsswitch.conf"), "hosts: files dns\n");
      Process p = new ProcessBuilder("sh", "-c",
          "chmod 1777 tmp var/tmp && tar -C . -c . | docker import - " + NAME)
          .directory(skel.toFile()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new IllegalStateException("docker import of " + NAME + " failed: " + output);
      }
    } finally {
      try (Stream<Path> walk = Files.walk(skel)) {
        walk.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
      }
    }
  }
}
