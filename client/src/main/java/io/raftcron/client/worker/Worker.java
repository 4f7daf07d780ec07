package io.raftcron.client.worker;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.proto.CompleteRunResponse;
import io.raftcron.proto.Completion;
import io.raftcron.proto.Run;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls runs from the cluster and executes them with a {@link JobHandler}: it long-polls for as
 * many runs as it has free slots, runs each on its own thread, and reports the outcome under the
 * run's fencing token.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  private static final long FIRST_POLL_BACKOFF_MS = 500;
  private static final long MAX_POLL_BACKOFF_MS = 10_000;
  private static final Duration COMPLETION_BUDGET = Duration.ofMinutes(2);
  private static final long COMPLETION_RETRY_MS = 1_000;
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(30);

  private final RaftcronClient client;
  private final String workerId;
  private final JobHandler handler;
  private final Duration pollWait;
  private final InstantSource clock;
  private final Semaphore freeSlots;
  private final ExecutorService executor;
  private final Thread poller;
  private volatile boolean running;

  private Worker(Builder builder) {
    this.client = RaftcronClient.connect(builder.endpoints);
    this.workerId = builder.workerId;
    this.handler = builder.handler;
    this.pollWait = builder.pollWait;
    this.clock = builder.clock;
    this.freeSlots = new Semaphore(builder.concurrency);
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(builder.concurrency,
        task -> new Thread(task, "raftcron-run-" + threads.incrementAndGet()));
    this.poller = new Thread(this::pollLoop, "raftcron-poller");
  }

  public static Builder builder() {
    return new Builder();
  }

  public synchronized void start() {
    if (running || poller.getState() != Thread.State.NEW) {
      throw new IllegalStateException("worker already started");
    }
    running = true;
    poller.start();
    log.info("worker {} polling {}", workerId, String.join(",", client.endpoints()));
  }

  /** Stops polling, gives running handlers a bounded time to finish and report, then stops them. */
  @Override
  public synchronized void close() {
    running = false;
    poller.interrupt();
    try {
      if (poller.getState() != Thread.State.NEW) {
        poller.join();
      }
      executor.shutdown();
      if (!executor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("handlers still running after {}; interrupting them", SHUTDOWN_GRACE);
        executor.shutdownNow();
        executor.awaitTermination(SHUTDOWN_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      client.close();
    }
  }

  private void pollLoop() {
    long backoffMs = FIRST_POLL_BACKOFF_MS;
    while (running) {
      int slots;
      try {
        freeSlots.acquire();
        slots = 1 + freeSlots.drainPermits();
      } catch (InterruptedException e) {
        return;
      }
      long polledAt = System.nanoTime();
      List<Run> runs;
      try {
        runs = client.pollRuns(workerId, slots, pollWait);
      } catch (RaftcronException e) {
        if (!running) {
          return;
        }
        log.warn("poll failed ({}): {}; retrying in {} ms", e.code(), e.getMessage(), backoffMs);
        runs = List.of();
      }
      dispatch(runs, slots);
      // After an error, or an empty answer long before the wait was over, back off: never a hot loop.
      boolean idle = runs.isEmpty() && System.nanoTime() - polledAt < pollWait.toNanos() / 2;
      if (!idle) {
        backoffMs = FIRST_POLL_BACKOFF_MS;
      } else if (sleep(backoffMs)) {
        backoffMs = Math.min(backoffMs * 2, MAX_POLL_BACKOFF_MS);
      } else {
        return;
      }
    }
  }

  /** Starts the leased runs and gives back the slots they don't take. */
  private void dispatch(List<Run> runs, int slots) {
    // The server grants at most `slots` runs; should it send more, run them anyway (they are
    // leased to us) but don't let them free slots they never took.
    for (int i = 0; i < runs.size(); i++) {
      Run run = runs.get(i);
      boolean holdsSlot = i < slots;
      executor.execute(() -> execute(run, holdsSlot));
    }
    if (runs.size() < slots) {
      freeSlots.release(slots - runs.size());
    }
  }

  private void execute(Run run, boolean holdsSlot) {
    try {
      RunContext context = RunContext.of(run);
      log.info("run {} started: slot {}, token {}, attempt {}",
          context.runId(), context.slot(), context.fencingToken(), context.attempt());
      Instant startedAt = clock.instant();
      Outcome outcome;
      try {
        outcome = Objects.requireNonNull(handler.handle(context), "handler returned no outcome");
      } catch (InterruptedException e) {
        // Shutting down: leave the run to its lease, which expires and lets another worker retry.
        log.warn("run {} interrupted by shutdown; not reporting it", context.runId());
        Thread.currentThread().interrupt();
        return;
      } catch (Exception e) {
        outcome = Outcome.failure(-1, e.toString());
      }
      Instant finishedAt = clock.instant();
      log.info("run {} finished: {}, exit {}, slot {}, token {}{}", context.runId(),
          outcome.succeeded() ? "succeeded" : "failed", outcome.exitCode(), context.slot(),
          context.fencingToken(), outcome.error().isEmpty() ? "" : ", error: " + outcome.error());
      report(Completion.newBuilder()
          .setRunId(context.runId())
          .setFencingToken(context.fencingToken())
          .setWorker(workerId)
          .setSucceeded(outcome.succeeded())
          .setExitCode(outcome.exitCode())
          .setError(outcome.error())
          .setStartedAt(timestamp(startedAt))
          .setFinishedAt(timestamp(finishedAt))
          .build());
    } finally {
      if (holdsSlot) {
        freeSlots.release();
      }
    }
  }

  /** Retries while the cluster can't be reached, up to COMPLETION_BUDGET; a refusal is final. */
  private void report(Completion completion) {
    long giveUpAt = System.nanoTime() + COMPLETION_BUDGET.toNanos();
    while (true) {
      try {
        CompleteRunResponse response = client.completeRun(completion);
        if (!response.getAccepted()) {
          log.warn("completion of run {} (token {}) refused: {} {}", completion.getRunId(),
              completion.getFencingToken(), response.getCode(), response.getMessage());
        }
        return;
      } catch (RaftcronException e) {
        boolean retryable = e.code() == Status.Code.UNAVAILABLE || e.code() == Status.Code.DEADLINE_EXCEEDED;
        if (!retryable || System.nanoTime() - giveUpAt > 0 || !sleep(COMPLETION_RETRY_MS)) {
          log.warn("could not report completion of run {} (token {}): {}", completion.getRunId(),
              completion.getFencingToken(), e.getMessage());
          return;
        }
      }
    }
  }

  /** Returns false if interrupted. */
  private static boolean sleep(long millis) {
    try {
      Thread.sleep(millis);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static Timestamp timestamp(Instant instant) {
    return Timestamp.newBuilder().setSeconds(instant.getEpochSecond()).setNanos(instant.getNano()).build();
  }

  public static final class Builder {
    private List<String> endpoints;
    private String workerId = defaultWorkerId();
    private int concurrency = 4;
    private JobHandler handler;
    private Duration pollWait = Duration.ofSeconds(20);
    private InstantSource clock = InstantSource.system();

    private Builder() {}

    public Builder endpoints(List<String> endpoints) {
      this.endpoints = List.copyOf(endpoints);
      return this;
    }

    public Builder workerId(String workerId) {
      this.workerId = workerId;
      return this;
    }

    public Builder concurrency(int concurrency) {
      this.concurrency = concurrency;
      return this;
    }

    public Builder handler(JobHandler handler) {
      this.handler = handler;
      return this;
    }

    public Builder pollWait(Duration pollWait) {
      this.pollWait = pollWait;
      return this;
    }

    /** The clock that stamps started/finished times. */
    public Builder clock(InstantSource clock) {
      this.clock = clock;
      return this;
    }

    public Worker build() {
      if (endpoints == null || endpoints.isEmpty()) {
        throw new IllegalArgumentException("no cluster endpoints given");
      }
      if (handler == null) {
        throw new IllegalArgumentException("no handler given");
      }
      if (workerId == null || workerId.isBlank()) {
        throw new IllegalArgumentException("worker id must not be blank");
      }
      if (concurrency < 1) {
        throw new IllegalArgumentException("concurrency must be at least 1: " + concurrency);
      }
      if (pollWait.isNegative() || pollWait.isZero()) {
        throw new IllegalArgumentException("poll wait must be positive: " + pollWait);
      }
      return new Worker(this);
    }

    private static String defaultWorkerId() {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        host = "worker";
      }
      return host + "-" + ProcessHandle.current().pid();
    }
  }
}
