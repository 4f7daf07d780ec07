package io.raftcron.client.worker;

import com.google.protobuf.Timestamp;
import io.grpc.Status;
import io.raftcron.client.ClientSecurity;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.proto.Completion;
import io.raftcron.proto.HeartbeatResponse;
import io.raftcron.proto.LeaseRef;
import io.raftcron.proto.LeaseState;
import io.raftcron.proto.LeaseStatus;
import io.raftcron.proto.Run;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pulls runs from the cluster and executes them with a {@link JobHandler}: it long-polls for as
 * many runs as it has free slots, runs each on its own thread, and reports the outcome under the
 * run's fencing token (together with the other runs that finished meanwhile: {@link
 * CompletionReporter}).
 *
 * <p>While a run executes, the worker heartbeats its lease every lease/3 (all held leases in one
 * call). A reply that the lease is LOST (another worker may hold the run now) or that the run was
 * cancelled stops the execution by interrupting the handler's thread; so does the job's timeout.
 * A cancelled run is reported CANCELLED, a timed-out one TIMED_OUT, a lost one not at all.
 */
public final class Worker implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Worker.class);
  /** Runs held at once, at most: one heartbeat carries all their leases, and a node takes 10 000 per heartbeat. */
  public static final int MAX_CONCURRENCY = 10_000;
  /** Error text a node keeps per attempt (the tail). */
  static final int MAX_ERROR_BYTES = 4096;
  private static final long FIRST_POLL_BACKOFF_MS = 500;
  private static final long MAX_POLL_BACKOFF_MS = 10_000;
  private static final Duration COMPLETION_BUDGET = Duration.ofMinutes(2);
  private static final long COMPLETION_RETRY_MS = 1_000;
  private static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);
  /** After the grace: how long interrupted handlers get to end, and the last completions to be answered. */
  private static final Duration AFTER_GRACE = Duration.ofSeconds(5);
  // Heartbeats go every lease/3; the lease is learned from each run (deadline - leased at).
  private static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);
  private static final Duration MIN_HEARTBEAT_INTERVAL = Duration.ofMillis(200);
  private static final Duration MAX_HEARTBEAT_BUDGET = Duration.ofSeconds(5);
  private static final long HEARTBEAT_TICK_MS = 100;
  private static final long HEARTBEAT_RETRY_MS = 1_000;

  private final RaftcronClient client;
  private final String workerId;
  private final JobHandler handler;
  private final Duration pollWait;
  private final InstantSource clock;
  private final Duration shutdownGrace;
  /** The most runs the server hands out per poll (a poll asking for more is refused). */
  static final int MAX_RUNS_PER_POLL = 100;

  private final Semaphore freeSlots;
  private final ExecutorService executor;
  private final Thread poller;
  private final ScheduledExecutorService timers;
  private final Map<String, Execution> executions = new ConcurrentHashMap<>();
  private final CompletionReporter reporter;
  private volatile boolean heartbeatUnsupportedLogged;
  private volatile boolean running;

  private Worker(Builder builder) {
    this.client = RaftcronClient.connect(builder.endpoints, RaftcronClient.DEFAULT_DEADLINE, builder.security);
    this.workerId = builder.workerId;
    this.handler = builder.handler;
    this.pollWait = builder.pollWait;
    this.clock = builder.clock;
    this.shutdownGrace = builder.shutdownGrace;
    this.freeSlots = new Semaphore(builder.concurrency);
    AtomicInteger threads = new AtomicInteger();
    this.executor = Executors.newFixedThreadPool(builder.concurrency,
        task -> new Thread(task, "raftcron-run-" + threads.incrementAndGet()));
    this.poller = new Thread(this::pollLoop, "raftcron-poller");
    this.reporter = new CompletionReporter(client, workerId, COMPLETION_BUDGET, COMPLETION_RETRY_MS);
    // Two threads: a slow heartbeat call must not hold up a timeout.
    AtomicInteger timerThreads = new AtomicInteger();
    this.timers = Executors.newScheduledThreadPool(2, task -> {
      Thread t = new Thread(task, "raftcron-heartbeat-" + timerThreads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
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
    timers.scheduleWithFixedDelay(this::heartbeatDue, HEARTBEAT_TICK_MS, HEARTBEAT_TICK_MS, TimeUnit.MILLISECONDS);
    log.info("worker {} polling {}", workerId, String.join(",", client.endpoints()));
  }

  /**
   * Stops polling and gives the runs under way one shutdown grace, all together, to finish and have their completions
   * answered. Handlers still running then are interrupted (the shell handler kills their process trees) and get
   * {@link #AFTER_GRACE} to end; such a run is not reported, so its lease expires and it runs again. A completion sent
   * near the grace's end also gets {@link #AFTER_GRACE} for its answer. Returns within the grace and about 20 s.
   */
  @Override
  public synchronized void close() {
    running = false;
    poller.interrupt();
    long deadline = System.nanoTime() + shutdownGrace.toNanos();
    try {
      if (poller.getState() != Thread.State.NEW) {
        poller.join();
      }
      executor.shutdown();
      if (!executor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        log.warn("handlers still running after the shutdown grace of {}; interrupting them", shutdownGrace);
        executor.shutdownNow();
        executor.awaitTermination(AFTER_GRACE.toNanos(), TimeUnit.NANOSECONDS);
      }
      // Every execution left has finished; those that reported stay until their answer.
      CompletableFuture.allOf(executions.values().stream()
              .map(e -> e.answered).filter(Objects::nonNull).toArray(CompletableFuture[]::new))
          .get(Math.max(deadline - System.nanoTime(), AFTER_GRACE.toNanos()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      // The reporter's close interrupts a call on its way (given up: its lease expires) and sends the rest once more.
      log.warn("completions still unanswered after the shutdown grace of {}; giving up the one being sent, sending"
          + " the queued ones once more", shutdownGrace);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause()); // never: reports complete normally
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      timers.shutdownNow();
      reporter.close();
      client.close();
    }
  }

  private void pollLoop() {
    long backoffMs = FIRST_POLL_BACKOFF_MS;
    while (running) {
      int slots;
      try {
        freeSlots.acquire();
        // Only this thread takes permits, so the ones available now can all be taken.
        int more = Math.min(freeSlots.availablePermits(), MAX_RUNS_PER_POLL - 1);
        slots = 1 + (freeSlots.tryAcquire(more) ? more : 0);
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
    RunContext context = RunContext.of(run);
    Execution execution = new Execution(context, Thread.currentThread());
    executions.put(execution.key, execution);
    ScheduledFuture<?> timeout = null;
    try {
      if (context.timeout().isPresent()) {
        timeout = timers.schedule(() -> execution.stop(Stop.TIMED_OUT),
            context.timeout().get().toMillis(), TimeUnit.MILLISECONDS);
      }
      log.info("run {} started: slot {}, token {}, attempt {}",
          context.runId(), context.slot(), context.fencingToken(), context.attempt());
      Instant startedAt = clock.instant();
      Outcome outcome = null;
      boolean interrupted = false;
      try {
        outcome = Objects.requireNonNull(handler.handle(context), "handler returned no outcome");
      } catch (InterruptedException e) {
        interrupted = true;
      } catch (Exception | Error e) {
        // An Error too: unreported, the run would come back after its lease, fail the same way, and
        // never use up its attempts.
        log.warn("run {}: the handler threw", context.runId(), e);
        outcome = Outcome.failure(-1, e.toString());
      }
      Stop stop = execution.finish();
      Thread.interrupted(); // no stop comes after finish(): clear one that came before
      if (timeout != null) {
        timeout.cancel(false);
      }
      outcome = settle(context, outcome, interrupted, stop);
      if (outcome == null) {
        return;
      }
      Instant finishedAt = clock.instant();
      String error = tail(outcome.error());
      log.info("run {} finished: {}, exit {}, slot {}, token {}{}", context.runId(),
          outcome.status(), outcome.exitCode(), context.slot(),
          context.fencingToken(), error.isEmpty() ? "" : ", error: " + error);
      // The thread goes back to the pool now; the run keeps its slot and its heartbeats until the
      // report is answered, so `concurrency` still bounds the runs held, reported or not.
      execution.answered = reporter.report(Completion.newBuilder()
          .setRunId(context.runId())
          .setFencingToken(context.fencingToken())
          .setWorker(workerId)
          .setSucceeded(outcome.succeeded())
          .setOutcome(outcome.status().runState())
          .setExitCode(outcome.exitCode())
          .setError(error)
          .setStartedAt(timestamp(startedAt))
          .setFinishedAt(timestamp(finishedAt))
          .build());
      execution.answered.whenComplete((done, never) -> release(execution, holdsSlot));
    } finally {
      if (execution.answered == null) { // nothing to report, or the handler's thread failed
        release(execution, holdsSlot);
      }
    }
  }

  /** The execution is over and reported (or not to be): its lease is no longer heartbeaten, its slot free. */
  private void release(Execution execution, boolean holdsSlot) {
    executions.remove(execution.key, execution);
    if (holdsSlot) {
      freeSlots.release();
    }
  }

  /**
   * What to report for an execution, or null for nothing. A handler that succeeded stands
   * whatever was asked meanwhile. A stop for timeout or cancel becomes TIMED_OUT or CANCELLED.
   * After a lost lease only a finished handler's outcome is sent (the cluster refuses it and
   * records the refusal); an interrupted one reports nothing, as after a shutdown (the lease
   * expires and the run is leased again).
   */
  private Outcome settle(RunContext context, Outcome outcome, boolean interrupted, Stop stop) {
    if (outcome != null && (stop == null || outcome.succeeded())) {
      return outcome;
    }
    if (stop == null || stop == Stop.LOST) {
      if (interrupted || outcome == null) {
        log.warn("run {} (token {}) {}; not reporting it", context.runId(), context.fencingToken(),
            stop == Stop.LOST ? "stopped: its lease was lost" : "interrupted by shutdown");
        return null;
      }
      return outcome;
    }
    String detail = outcome == null || outcome.error().isEmpty() ? "" : ": " + outcome.error();
    int exitCode = outcome == null ? -1 : outcome.exitCode();
    return stop == Stop.TIMED_OUT
        ? new Outcome(Outcome.Status.TIMED_OUT, exitCode,
            "timed out after " + context.timeout().map(Duration::toString).orElse("?") + detail)
        : new Outcome(Outcome.Status.CANCELLED, exitCode, "cancelled" + detail);
  }

  /** Sends one heartbeat for every lease held when any of them is due (every lease/3). */
  private void heartbeatDue() {
    try {
      long now = System.nanoTime();
      List<Execution> held = List.copyOf(executions.values());
      if (held.isEmpty() || held.stream().noneMatch(e -> now - e.nextBeatNanos >= 0)) {
        return;
      }
      Duration interval = held.stream().map(e -> e.beatInterval).min(Duration::compareTo).orElseThrow();
      for (Execution e : held) {
        e.nextBeatNanos = now + e.beatInterval.toNanos();
      }
      List<LeaseRef> refs = held.stream()
          .map(e -> LeaseRef.newBuilder().setRunId(e.context.runId()).setFencingToken(e.context.fencingToken()).build())
          .toList();
      HeartbeatResponse response;
      try {
        Duration budget = interval.compareTo(MAX_HEARTBEAT_BUDGET) > 0 ? MAX_HEARTBEAT_BUDGET : interval;
        response = client.heartbeat(workerId, refs, budget);
      } catch (RaftcronException e) {
        if (e.code() == Status.Code.UNIMPLEMENTED) {
          if (!heartbeatUnsupportedLogged) {
            heartbeatUnsupportedLogged = true;
            log.warn("the cluster does not take heartbeats; leases run their full length");
          }
          return;
        }
        log.warn("heartbeat failed ({}): {}; retrying in {} ms", e.code(), e.getMessage(), HEARTBEAT_RETRY_MS);
        long retryAt = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(HEARTBEAT_RETRY_MS);
        held.forEach(h -> h.nextBeatNanos = Math.min(h.nextBeatNanos, retryAt));
        return;
      }
      // Answered in the order asked: two leases of one run (an old attempt stuck past its lease, and
      // the run leased here again) each get their own answer, which a lookup by run id would mix up.
      for (int i = 0; i < Math.min(held.size(), response.getLeasesCount()); i++) {
        LeaseState lease = response.getLeases(i);
        Execution execution = held.get(i);
        if (!execution.context.runId().equals(lease.getRunId())) {
          continue; // not an answer to this request's order: act on nothing
        }
        if (lease.getStatus() == LeaseStatus.LOST && execution.stop(Stop.LOST)) {
          log.warn("run {} (token {}): lease lost; stopping it", lease.getRunId(), execution.context.fencingToken());
        } else if (lease.getStatus() == LeaseStatus.CANCEL && execution.stop(Stop.CANCELLED)) {
          log.info("run {} (token {}): cancelled; stopping it", lease.getRunId(), execution.context.fencingToken());
        }
      }
    } catch (RuntimeException e) {
      log.warn("heartbeat round failed", e); // never let the scheduled task die
    }
  }

  /**
   * The end of an error text, at most what a node keeps ({@value #MAX_ERROR_BYTES} bytes of UTF-8):
   * a longer one only makes the completion, and the batch it travels in, heavier.
   */
  static String tail(String error) {
    byte[] bytes = error.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    if (bytes.length <= MAX_ERROR_BYTES) {
      return error;
    }
    int start = bytes.length - MAX_ERROR_BYTES;
    while (start < bytes.length && (bytes[start] & 0xC0) == 0x80) {
      start++; // a continuation byte: start at the next character
    }
    return new String(bytes, start, bytes.length - start, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Returns false if interrupted. */
  static boolean sleep(long millis) {
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

  /** Why the worker stopped an execution. */
  private enum Stop { LOST, CANCELLED, TIMED_OUT }

  /** One leased run being executed: stopping interrupts its thread, at most once, never after it finished. */
  private static final class Execution {
    final RunContext context;
    final String key;
    final Duration beatInterval;
    private final Thread thread;
    volatile long nextBeatNanos;
    /** The answer to its completion's report, once handed to the reporter. */
    volatile CompletableFuture<Void> answered;
    private Stop stop;
    private boolean finished;

    Execution(RunContext context, Thread thread) {
      this.context = context;
      this.key = context.runId() + "#" + context.fencingToken();
      this.thread = thread;
      Duration lease = context.leaseLength().orElse(DEFAULT_LEASE);
      Duration third = lease.dividedBy(3);
      this.beatInterval = third.compareTo(MIN_HEARTBEAT_INTERVAL) < 0 ? MIN_HEARTBEAT_INTERVAL : third;
      this.nextBeatNanos = System.nanoTime() + beatInterval.toNanos();
    }

    synchronized boolean stop(Stop reason) {
      if (finished || stop != null) {
        return false;
      }
      stop = reason;
      thread.interrupt();
      return true;
    }

    synchronized Stop finish() {
      finished = true;
      return stop;
    }
  }

  public static final class Builder {
    private List<String> endpoints;
    private String workerId = defaultWorkerId();
    private int concurrency = 4;
    private JobHandler handler;
    private Duration pollWait = Duration.ofSeconds(20);
    private Duration shutdownGrace = DEFAULT_SHUTDOWN_GRACE;
    private InstantSource clock = InstantSource.system();
    private ClientSecurity security = ClientSecurity.NONE;

    private Builder() {}

    /** The worker's token (bound to its worker id when authentication is on) and TLS files. */
    public Builder security(ClientSecurity security) {
      this.security = java.util.Objects.requireNonNull(security);
      return this;
    }

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

    /** How long {@link Worker#close} lets the runs under way finish and be reported before it interrupts them. */
    public Builder shutdownGrace(Duration shutdownGrace) {
      this.shutdownGrace = shutdownGrace;
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
      // The cluster's rule: refused here, not by every poll for as long as the worker runs.
      if (workerId.length() > 128 || !workerId.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException(
            "worker id must be 1-128 printable ASCII characters without spaces: '" + workerId + "'");
      }
      if (concurrency < 1 || concurrency > MAX_CONCURRENCY) {
        throw new IllegalArgumentException("concurrency must be from 1 to " + MAX_CONCURRENCY + ": " + concurrency);
      }
      if (pollWait.isNegative() || pollWait.isZero()) {
        throw new IllegalArgumentException("poll wait must be positive: " + pollWait);
      }
      if (shutdownGrace.isNegative() || shutdownGrace.isZero()) {
        throw new IllegalArgumentException("shutdown grace must be positive: " + shutdownGrace);
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
