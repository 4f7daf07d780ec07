package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ShellExecutor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real full disk: node n3's data folder is a small tmpfs (mounted by root), filled up while
 * the cluster takes writes. n3 stops on the failed write with no half-applied command, n1 and n2
 * go on, and n3 catches up once restarted with space again.
 */
class DiskFullTest {
  @TempDir Path dir;
  private Path mount;

  @AfterEach
  void unmount() throws Exception {
    if (mount != null) {
      run("umount", "-l", mount.toString());
    }
  }

  private static JobSpec job(String name) {
    // 40 KB a job: the disk fills after a few dozen writes.
    ShellExecutor.Builder shell = ShellExecutor.newBuilder().setCommand("echo " + "x".repeat(12_000));
    for (int i = 0; i < 7; i++) {
      shell.putEnv("PAD" + i, "p".repeat(4000));
    }
    return JobSpec.newBuilder().setName(name).setSchedule("@at 2099-01-01T00:00:00Z")
        .setExecutor(Executor.newBuilder().setShell(shell)).build();
  }

  @Test
  void aNodeWhoseDiskFillsStopsCleanlyTheOthersGoOnAndItRecoversWithSpace() throws Exception {
    assumeTrue(run("id", "-u").strip().equals("0"), "mounting a tmpfs needs root");
    mount = Files.createDirectories(dir.resolve("n3"));
    run("mount", "-t", "tmpfs", "-o", "size=160m", "tmpfs", mount.toString());

    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(10));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      await().atMost(Duration.ofSeconds(60)).until(() -> cluster.leader().isPresent()
          && cluster.running().stream().allMatch(s -> s.store().nodes().size() == 3));
      RaftcronServer n3 = cluster.running().stream().filter(s -> s.config().nodeId().equals("n3")).findFirst().orElseThrow();
      client.createJob(job("before-full"));
      await().atMost(Duration.ofSeconds(20)).until(() -> n3.store().job("before-full").isPresent());

      Path filler = mount.resolve("filler");
      fillLeaving(filler, mount, 2 * 1024 * 1024);
      int created = 0;
      for (int i = 0; i < 400 && cluster.fatalError() == null; i++) {
        if (createIgnoringOutcome(client, "full-" + i)) {
          created++;
        }
      }
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.fatalError() != null);
      assertThat(cluster.fatalError()).hasMessageContaining("n3");
      assertThat(created).as("the cluster took writes while n3's disk filled").isPositive();

      // n3 stopped between two commands: every job it holds is whole, at one version.
      long n3Applied = n3.store().appliedIndex();
      List<Job> n3Jobs = n3.store().jobs();
      for (Job job : n3Jobs) {
        assertThat(job.getSpec()).isEqualTo(job(job.getSpec().getName()));
      }
      cluster.stop(n3); // what the process does on a fatal error: halt
      assertThat(n3Applied).isPositive();

      // n1 and n2 are a majority: the cluster goes on.
      for (int i = 0; i < 5; i++) {
        client.createJob(job("while-n3-down-" + i));
      }

      Files.delete(filler);
      cluster.restart("n3");
      RaftcronServer back = cluster.running().stream().filter(s -> s.config().nodeId().equals("n3")).findFirst().orElseThrow();
      RaftcronServer leader = cluster.leader().orElseThrow();
      await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
          assertThat(back.store().jobs()).containsExactlyInAnyOrderElementsOf(leader.store().jobs()));
      assertThat(back.store().job("while-n3-down-4")).isPresent();
    }
  }

  /** Creates a job; a call whose outcome is unknown (a leader change) or a retried duplicate is fine. */
  private static boolean createIgnoringOutcome(RaftcronClient client, String name) {
    try {
      client.createJob(job(name));
      return true;
    } catch (RaftcronException e) {
      return false;
    }
  }

  private static void fillLeaving(Path filler, Path mount, long leave) throws IOException {
    FileStore store = Files.getFileStore(mount);
    long size = store.getUsableSpace() - leave;
    try (RandomAccessFile file = new RandomAccessFile(filler.toFile(), "rw")) {
      byte[] block = new byte[1024 * 1024];
      for (long written = 0; written < size; written += block.length) {
        file.write(block, 0, (int) Math.min(block.length, size - written));
      }
    }
  }

  private static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output);
    }
    return output;
  }
}
