package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Executor;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The dispatcher leases queued runs to polling workers, oldest slot first, and scans the queue
 * from the oldest run it knows of rather than from the queue's start: a run queued later with an
 * older slot (a backfill, a catch-up, an expired lease) or in the same slot under an earlier job
 * must still be found. A run whose grant has not committed yet is offered to no other poll.
 */
class RunDispatcherTest extends LeaderLoopTest {
  private static final Duration LEASE = Duration.ofSeconds(30);
  private RunDispatcher dispatcher;
  /** GrantLeases entries proposed and not committed yet: {@link #commitGrants} applies them. */
  private final List<Runnable> heldGrants = new ArrayList<>();

  @BeforeEach
  void createJobsAndDispatcher() {
    for (String job : List.of("a", "b", "c", "d")) {
      JobSpec spec = JobSpec.newBuilder()
          .setName(job)
          .setSchedule("@every 1s")
          .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
          .build();
      apply(Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(spec).setCreate(true)));
    }
    dispatcher = new RunDispatcher(term(this::proposeHoldingGrants), LEASE);
  }

  private CompletableFuture<CommandResult> proposeHoldingGrants(long term, Command.Builder command) {
    if (!command.hasGrantLeases()) {
      return CompletableFuture.completedFuture(apply(command));
    }
    CompletableFuture<CommandResult> committed = new CompletableFuture<>();
    heldGrants.add(() -> committed.complete(apply(command)));
    return committed;
  }

  /** Commits the grants proposed so far, as the Raft log would, on the leader's executor. */
  private void commitGrants() throws Exception {
    executor.submit(() -> {
      List<Runnable> grants = List.copyOf(heldGrants);
      heldGrants.clear();
      grants.forEach(Runnable::run);
    }).get();
  }

  /** Fires {@code job}'s slot T0+s and tells the dispatcher, as the leader session does. */
  private void fire(String job, int s) throws Exception {
    Instant slot = T0.plusSeconds(s);
    CommandResult result = apply(Command.newBuilder().setFireSlots(FireSlots.newBuilder()
        .addDecisions(SlotDecision.newBuilder().setJob(job).setSlot(Times.toTimestamp(slot)).setFire(true))));
    assertThat(result.getItems(0).getCode()).isEqualTo(ResultCode.OK);
    executor.submit(() -> dispatcher.queued(slot)).get();
  }

  /** A poll of up to ten runs, answered at once or after at most a second. */
  private List<String> poll() throws Exception {
    CompletableFuture<List<Run>> reply = startPoll(10);
    commitGrants();
    return runIds(reply);
  }

  /** A poll of up to {@code maxRuns} runs by worker w1; a grant it causes stays held. */
  private CompletableFuture<List<Run>> startPoll(int maxRuns) throws Exception {
    CompletableFuture<List<Run>> reply = new CompletableFuture<>();
    executor.submit(() -> dispatcher.poll("w1", maxRuns, Duration.ofSeconds(1), reply)).get();
    return reply;
  }

  private static List<String> runIds(CompletableFuture<List<Run>> reply) throws Exception {
    return reply.get(10, TimeUnit.SECONDS).stream().map(Run::getRunId).toList();
  }

  @Test
  void aPollWhoseCallerWentAwayIsLeasedNothing() throws Exception {
    now = T0.plusSeconds(10);
    CompletableFuture<List<Run>> gone = startPoll(10); // waits: nothing queued yet
    gone.cancel(false); // its gRPC call was cancelled

    fire("a", 5);
    assertThat(heldGrants).as("grants proposed for the gone poll").isEmpty();
    commitGrants();

    assertThat(store.run(RunIds.of("a", T0.plusSeconds(5))).orElseThrow().getState()).isEqualTo(RunState.QUEUED);
    assertThat(poll()).containsExactly(RunIds.of("a", T0.plusSeconds(5)));
  }

  @Test
  void runsGrantedToAPollWhoseCallerWentAwayMeanwhileGoBackToTheQueueAtOnce() throws Exception {
    now = T0.plusSeconds(10);
    fire("a", 5);
    CompletableFuture<List<Run>> gone = startPoll(10); // a@5's grant is in flight
    gone.cancel(false);

    commitGrants();
    executor.submit(() -> {}).get(); // the grant's outcome is handled in a task queued behind the commit

    Run run = store.run(RunIds.of("a", T0.plusSeconds(5))).orElseThrow();
    assertThat(run.getState()).isEqualTo(RunState.QUEUED); // not LEASED to nobody for a whole lease
    assertThat(run.getExpiredLeases()).isEqualTo(1);
  }

  @Test
  void aRunQueuedWithAnOlderSlotThanTheQueuedOnesIsLeasedNext() throws Exception {
    now = T0.plusSeconds(10);
    fire("a", 5);
    fire("b", 6);
    assertThat(poll()).containsExactly(RunIds.of("a", T0.plusSeconds(5)), RunIds.of("b", T0.plusSeconds(6)));

    fire("c", 7);
    fire("b", 8);
    fire("d", 2); // older than every run the dispatcher has seen queued
    assertThat(poll()).containsExactly(
        RunIds.of("d", T0.plusSeconds(2)), RunIds.of("c", T0.plusSeconds(7)), RunIds.of("b", T0.plusSeconds(8)));
  }

  @Test
  void aRunQueuedAfterTheQueueWasFoundEmptyIsLeased() throws Exception {
    now = T0.plusSeconds(10);
    assertThat(poll()).isEmpty();

    fire("c", 3);
    assertThat(poll()).containsExactly(RunIds.of("c", T0.plusSeconds(3)));
    assertThat(poll()).isEmpty();
  }

  @Test
  void aRunQueuedInTheSlotOfTheScansFirstRunUnderAnEarlierJobIsLeased() throws Exception {
    now = T0.plusSeconds(10);
    fire("b", 5);
    fire("c", 5);
    CompletableFuture<List<Run>> first = startPoll(1); // the scan starts at b@5 from now on
    commitGrants();
    assertThat(runIds(first)).containsExactly(RunIds.of("b", T0.plusSeconds(5)));

    fire("a", 5); // same slot, before b in the queue
    assertThat(poll()).containsExactly(RunIds.of("a", T0.plusSeconds(5)), RunIds.of("c", T0.plusSeconds(5)));
  }

  @Test
  void aRunBeingGrantedIsOfferedToNoOtherPoll() throws Exception {
    now = T0.plusSeconds(10);
    fire("a", 5);
    fire("b", 5);
    CompletableFuture<List<Run>> first = startPoll(1);
    CompletableFuture<List<Run>> second = startPoll(1); // a@5's grant is still in flight
    commitGrants();

    assertThat(runIds(first)).containsExactly(RunIds.of("a", T0.plusSeconds(5)));
    assertThat(runIds(second)).containsExactly(RunIds.of("b", T0.plusSeconds(5)));
    assertThat(poll()).isEmpty();
  }
}
