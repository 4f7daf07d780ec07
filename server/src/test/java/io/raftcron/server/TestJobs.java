package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.Run;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** The job the cluster tests fire, and what its history must look like. */
final class TestJobs {
  private TestJobs() {}

  /** A job due every second whose command does nothing. */
  static JobSpec everySecond(String name) {
    return JobSpec.newBuilder()
        .setName(name)
        .setSchedule("* * * * * *")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
        .build();
  }

  /** One run per slot, and consecutive slots one second apart: nothing doubled, nothing lost. */
  static void assertOneRunPerSlotWithNoGap(List<Run> runs) {
    List<Instant> slots = runs.stream().map(r -> Times.toInstant(r.getSlot())).sorted().toList();
    assertThat(slots).doesNotHaveDuplicates();
    assertThat(runs.stream().map(Run::getRunId)).doesNotHaveDuplicates();
    for (int i = 1; i < slots.size(); i++) {
      assertThat(Duration.between(slots.get(i - 1), slots.get(i)))
          .as("no slot missing between %s and %s", slots.get(i - 1), slots.get(i))
          .isEqualTo(Duration.ofSeconds(1));
    }
  }
}
