package io.raftcron.client.worker;

import io.grpc.Status;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.proto.CompleteRunResponse;
import io.raftcron.proto.Completion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reports finished runs. A run's thread hands its completion over and goes on; one reporter
 * thread sends whatever finished meanwhile in one {@code CompleteRuns} call (at most
 * {@link #MAX_PER_CALL}), so a busy worker makes one call per batch rather than one per run, and
 * an idle one still reports each run at once. A call that cannot reach the cluster is retried
 * until each completion's budget is spent; a refusal is final. A cluster without
 * {@code CompleteRuns} gets the completions one call each.
 */
final class CompletionReporter implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CompletionReporter.class);
  /**
   * The server takes up to 1000 completions a call. One call is in flight at a time, so a worker
   * reports at most this many per commit round trip: 100 capped a busy worker near 1000 runs/s.
   */
  static final int MAX_PER_CALL = 1000;
  /** Bytes of completions per call, well inside a node's 1 MiB message limit (error texts make them large). */
  static final int MAX_BYTES_PER_CALL = 512 * 1024;

  private record Pending(Completion completion, long giveUpAtNanos, CompletableFuture<Void> answered) {}

  private final RaftcronClient client;
  private final String workerId;
  private final Duration budget;
  private final long retryMs;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean running = true;
  private boolean batchesUnsupported;

  CompletionReporter(RaftcronClient client, String workerId, Duration budget, long retryMs) {
    this.client = client;
    this.workerId = workerId;
    this.budget = budget;
    this.retryMs = retryMs;
    this.thread = new Thread(this::loop, "raftcron-reporter");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * Queues {@code completion} for the next call; the future completes (normally, on the reporter's
   * thread) once it is answered or given up on.
   */
  CompletableFuture<Void> report(Completion completion) {
    Pending pending = new Pending(completion, System.nanoTime() + budget.toNanos(), new CompletableFuture<>());
    queue.add(pending);
    return pending.answered();
  }

  /** Stops after what is queued was sent once more; anything still unanswered is given up. */
  @Override
  public void close() {
    running = false;
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void loop() {
    while (running || !queue.isEmpty()) {
      Pending first;
      try {
        first = queue.take();
      } catch (InterruptedException e) {
        continue; // closing: send what is queued, then stop
      }
      List<Pending> batch = new ArrayList<>(List.of(first));
      long bytes = first.completion().getSerializedSize();
      for (Pending next = queue.peek(); next != null && batch.size() < MAX_PER_CALL
          && bytes + next.completion().getSerializedSize() <= MAX_BYTES_PER_CALL; next = queue.peek()) {
        batch.add(queue.poll()); // this thread alone takes from the queue: what it peeked is what it polls
        bytes += next.completion().getSerializedSize();
      }
      try {
        send(batch);
      } catch (RuntimeException e) {
        log.warn("could not report {} completion(s)", batch.size(), e); // never let the thread die
      }
      batch.forEach(p -> p.answered().complete(null));
    }
  }

  private void send(List<Pending> batch) {
    if (batch.size() > 1 && batchesUnsupported) {
      batch.forEach(p -> send(List.of(p)));
      return;
    }
    List<Pending> left = new ArrayList<>(batch);
    while (!left.isEmpty()) {
      try {
        List<CompleteRunResponse> answers = call(left);
        for (int i = 0; i < left.size(); i++) {
          CompleteRunResponse answer = answers.get(i);
          if (!answer.getAccepted()) {
            Completion c = left.get(i).completion();
            log.warn("completion of run {} (token {}) refused: {} {}", c.getRunId(), c.getFencingToken(),
                answer.getCode(), answer.getMessage());
          }
        }
        return;
      } catch (RaftcronException e) {
        if (e.code() == Status.Code.UNIMPLEMENTED && left.size() > 1) {
          batchesUnsupported = true;
          log.info("the cluster does not take CompleteRuns; reporting completions one by one");
          send(left);
          return;
        }
        boolean retryable = e.code() == Status.Code.UNAVAILABLE || e.code() == Status.Code.DEADLINE_EXCEEDED;
        long now = System.nanoTime();
        List<Pending> givenUp = retryable ? left.stream().filter(p -> now - p.giveUpAtNanos() > 0).toList() : left;
        givenUp.forEach(p -> log.warn("could not report completion of run {} (token {}): {}",
            p.completion().getRunId(), p.completion().getFencingToken(), e.getMessage()));
        left.removeAll(givenUp);
        if (!left.isEmpty() && !Worker.sleep(retryMs)) {
          left.forEach(p -> log.warn("gave up reporting completion of run {} (token {}): the worker is closing",
              p.completion().getRunId(), p.completion().getFencingToken()));
          return;
        }
      }
    }
  }

  private List<CompleteRunResponse> call(List<Pending> batch) {
    if (batch.size() == 1) {
      return List.of(client.completeRun(batch.get(0).completion()));
    }
    return client.completeRuns(workerId, batch.stream().map(Pending::completion).toList()).getResultsList();
  }
}
