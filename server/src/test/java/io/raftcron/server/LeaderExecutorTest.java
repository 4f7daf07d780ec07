package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.raftcron.server.leader.LeaderTask;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The leader's executor times every task and still runs them as a scheduled executor does. */
class LeaderExecutorTest {
  private final List<Long> taskNanos = new CopyOnWriteArrayList<>();
  private final LeaderExecutor executor = new LeaderExecutor(Executors.defaultThreadFactory(), taskNanos::add);

  @AfterEach
  void stop() throws InterruptedException {
    executor.shutdownNow();
    executor.awaitTermination(10, TimeUnit.SECONDS);
  }

  @Test
  void timesEachTaskItRunsAndOnlyThose() throws Exception {
    executor.submit(() -> pause(150)).get(10, TimeUnit.SECONDS);
    executor.schedule(() -> {}, 10, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
    AtomicBoolean ran = new AtomicBoolean();
    ScheduledFuture<?> cancelled = executor.schedule(() -> ran.set(true), 1, TimeUnit.HOURS);
    assertThat(cancelled.cancel(false)).isTrue();

    // A task's future completes inside its run, just before its time is recorded.
    await().atMost(Duration.ofSeconds(10)).until(() -> taskNanos.size() >= 2);
    assertThat(taskNanos).hasSize(2);
    assertThat(taskNanos.get(0)).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
    assertThat(taskNanos.get(1)).isLessThan(TimeUnit.MILLISECONDS.toNanos(150));
    assertThat(cancelled.isCancelled()).isTrue();
    assertThat(ran).isFalse();
  }

  @Test
  void tasksDueAtOnceRunInTheOrderTheyCame() throws Exception {
    List<Integer> order = new CopyOnWriteArrayList<>();
    executor.execute(() -> pause(50)); // the rest queue up behind it
    List<ScheduledFuture<?>> futures = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      int n = i;
      futures.add(executor.schedule(() -> order.add(n), 0, TimeUnit.MILLISECONDS));
    }
    for (ScheduledFuture<?> f : futures) {
      f.get(10, TimeUnit.SECONDS);
    }
    assertThat(order).isSorted().hasSize(500);
  }

  @Test
  void periodicTasksAreTimedAtEachRun() throws Exception {
    ScheduledFuture<?> periodic = executor.scheduleAtFixedRate(() -> {}, 0, 5, TimeUnit.MILLISECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> taskNanos.size() >= 3);
    periodic.cancel(false);
  }

  @Test
  void namesATaskByTheClassItWasWrittenIn() {
    Runnable lambda = () -> {};
    assertThat(LeaderExecutor.taskName(lambda.getClass())).isEqualTo("LeaderExecutorTest");
    assertThat(LeaderExecutor.taskName(java.util.concurrent.CompletableFuture.class)).isEqualTo("CompletableFuture");
    assertThat(LeaderExecutor.taskName(Nested.class)).isEqualTo("LeaderExecutorTest$Nested");
  }

  @Test
  void namesATaskThatDoesOtherCodesWorkAfterThatCode() {
    LeaderTask slice = new LeaderTask() {
      @Override
      public Class<?> origin() {
        return Nested.class;
      }

      @Override
      public void run() {}
    };
    assertThat(LeaderExecutor.taskName(LeaderExecutor.origin(slice))).isEqualTo("LeaderExecutorTest$Nested");
    Runnable lambda = () -> {};
    assertThat(LeaderExecutor.taskName(LeaderExecutor.origin(lambda))).isEqualTo("LeaderExecutorTest");
  }

  private static final class Nested {}

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
