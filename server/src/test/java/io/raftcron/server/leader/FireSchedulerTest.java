package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.proto.Command;
import io.raftcron.proto.DeleteJob;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.ShellExecutor;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The leader's firing loop against a real store and applier (standing in for the Raft log): a
 * schedule rebuilt over several pages fires every due slot once, and changes committed between
 * two pages are honoured.
 */
class FireSchedulerTest extends LeaderLoopTest {
  private static final int JOBS = 2 * FireScheduler.REBUILD_PAGE + 7;

  /** The number of slot decisions in each FireSlots entry the loop proposed. */
  private final List<Integer> fireEntries = new CopyOnWriteArrayList<>();

  private void create(String name) {
    JobSpec spec = JobSpec.newBuilder()
        .setName(name)
        .setSchedule("* * * * * *")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
        .build();
    apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec).setCreate(true)));
  }

  private static String name(int i) {
    return String.format("job-%06d", i);
  }

  private boolean ran(String job, Instant slot) {
    return store.run(job, slot).isPresent();
  }

  private int decisions() {
    return fireEntries.stream().mapToInt(Integer::intValue).sum();
  }

  @Test
  void aScheduleRebuiltOverSeveralPagesFiresEveryDueSlotOnceAndSeesChangesBetweenPages() {
    IntStream.range(0, JOBS).forEach(i -> create(name(i)));
    now = T0.plusSeconds(1);
    FireScheduler fires = new FireScheduler(term(command -> {
      if (command.hasFireSlots()) {
        fireEntries.add(command.getFireSlots().getDecisionsCount());
      }
    }));
    String deleted = name(JOBS - 1); // on the last page
    String created = "zz-created";

    executor.execute(fires::start);
    // Queued behind the first page and ahead of the next: committed while the rebuild is under way.
    CompletableFuture<Integer> trackedBetweenPages = new CompletableFuture<>();
    executor.execute(() -> {
      trackedBetweenPages.complete(fires.trackedJobs());
      apply(Command.newBuilder().setDeleteJob(DeleteJob.newBuilder().setName(deleted)));
      fires.jobChanged(deleted);
      create(created);
      fires.jobChanged(created);
    });

    assertThat(trackedBetweenPages.join()).as("jobs tracked when the task queued after the start ran")
        .isEqualTo(FireScheduler.REBUILD_PAGE);
    Instant first = T0.plusSeconds(1);
    // Due slots of equal time leave the queue in any order, the pages' mixed: wait for the count.
    await().atMost(Duration.ofSeconds(60)).until(() -> decisions() >= JOBS - 1);
    assertThat(IntStream.range(0, JOBS - 1).mapToObj(FireSchedulerTest::name).filter(job -> !ran(job, first)))
        .as("jobs whose slot %s did not fire", first)
        .isEmpty();
    assertThat(ran(deleted, first)).as("the job deleted between two pages").isFalse();
    assertThat(fireEntries).allSatisfy(n -> assertThat(n).isBetween(1, FireScheduler.MAX_DECISIONS_PER_ENTRY));
    assertThat(decisions()).as("decisions, one per job").isEqualTo(JOBS - 1);

    // The next second: every live job fires again, the one created mid-rebuild among them, once.
    now = T0.plusSeconds(2);
    Instant second = T0.plusSeconds(2);
    await().atMost(Duration.ofSeconds(60)).until(() -> decisions() >= 2 * (JOBS - 1) + 1);
    assertThat(decisions()).isEqualTo(2 * (JOBS - 1) + 1);
    assertThat(IntStream.range(0, JOBS - 1).mapToObj(FireSchedulerTest::name).filter(job -> !ran(job, second)))
        .isEmpty();
    assertThat(ran(created, second)).isTrue();
    assertThat(ran(deleted, second)).isFalse();
  }
}
