package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Completion;
import io.raftcron.proto.LeaseRef;
import io.raftcron.proto.LeaseState;
import io.raftcron.proto.Run;
import io.raftcron.raft.LeadershipListener;
import io.raftcron.sm.store.SchedulerStore;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a {@link LeaderSession} when this node starts leading a term and closes it when it
 * stops. Every leader-side action is serialized on one executor thread, so the session's
 * indexes need no locks and a step-down cannot interleave with a half-made decision.
 */
public final class Leadership implements LeadershipListener {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  private final SchedulerStore store;
  private final Proposer proposer;
  private final InstantSource clock;
  private final Duration leaseDuration;
  private final ScheduledExecutorService executor;
  private final Runnable onFatal;
  private final AlertSetup alerts;
  private final WorkerTracker workers;
  private LeaderSession session;
  private volatile boolean leading;
  // Set before a session's start is queued, cleared when leadership stops (under this object's
  // lock, so an applying thread that sees it clear wrote its command before the set, and the new
  // session reads that command from the store). While clear — on every follower — applied
  // commands need no task on the leader executor.
  private boolean sessionExpected;
  /** Set once by {@link #close}: no session starts after it. */
  private boolean closed;

  public Leadership(
      SchedulerStore store,
      Proposer proposer,
      InstantSource clock,
      Duration leaseDuration,
      ScheduledExecutorService executor,
      Runnable onFatal,
      AlertSetup alerts) {
    this.store = store;
    this.proposer = proposer;
    this.clock = clock;
    this.leaseDuration = leaseDuration;
    this.executor = executor;
    this.onFatal = onFatal;
    this.alerts = alerts;
    this.workers = new WorkerTracker(clock);
  }

  /** The workers heard from while this node leads. */
  public WorkerTracker workers() {
    return workers;
  }

  @Override
  public void onLeaderStart(long term) {
    synchronized (this) {
      if (closed) {
        return;
      }
      sessionExpected = true;
    }
    executor.execute(
        () -> {
          closeSession();
          log.info("leading term {}: rebuilding the schedule from the committed state", term);
          session = new LeaderSession(term, store, proposer, clock, leaseDuration, executor, alerts, workers);
          session.start();
          leading = true;
        });
  }

  @Override
  public void onLeaderStop(long term) {
    synchronized (this) {
      if (closed) {
        return;
      }
      sessionExpected = false;
    }
    executor.execute(
        () -> {
          log.info("stopped leading term {}", term);
          closeSession();
          workers.clear();
        });
  }

  @Override
  public void onFatalError(Throwable cause) {
    log.error("the state machine cannot go on; stopping this node", cause);
    executor.execute(this::closeSession);
    onFatal.run();
  }

  /**
   * The node is stopping: the session ends now rather than when the closing Raft node stops
   * leading, since until then its loops would only see proposals fail and retry them.
   */
  public void close() {
    synchronized (this) {
      closed = true;
      sessionExpected = false;
    }
    executor.execute(this::closeSession);
  }

  /** Called for every applied command, on the applying thread: hand over, never block. */
  public void onApplied(Command command, CommandResult result) {
    synchronized (this) {
      if (!sessionExpected) {
        return;
      }
    }
    executor.execute(
        () -> {
          if (session != null) {
            session.onApplied(command, result);
          }
        });
  }

  public void poll(String worker, int maxRuns, Duration wait, CompletableFuture<List<Run>> reply) {
    workers.seen(worker);
    withSession(reply, session -> session.poll(worker, maxRuns, wait, reply));
  }

  /** A worker's heartbeat, answered by this term's session (NotLeadingException without one). */
  public void heartbeat(String worker, List<LeaseRef> leases, CompletableFuture<List<LeaseState>> reply) {
    workers.seen(worker);
    withSession(reply, session -> reply.complete(session.heartbeat(leases)));
  }

  /** Proposes a worker's completion through this term's session (which may stamp a retry). */
  public CompletableFuture<CommandResult> complete(Completion completion) {
    CompletableFuture<CommandResult> reply = new CompletableFuture<>();
    withSession(
        reply,
        session -> session.complete(completion).whenComplete((result, failure) -> {
          if (failure != null) {
            reply.completeExceptionally(failure);
          } else {
            reply.complete(result);
          }
        }));
    return reply;
  }

  /**
   * Runs {@code action} on the leader executor with this term's session; without one, or if the
   * action throws, fails {@code reply} (the executor would keep the exception to itself, and the
   * caller would wait for an answer that never comes).
   */
  private void withSession(CompletableFuture<?> reply, Consumer<LeaderSession> action) {
    executor.execute(
        () -> {
          if (session == null) {
            reply.completeExceptionally(new NotLeadingException());
            return;
          }
          try {
            action.accept(session);
          } catch (RuntimeException e) {
            log.warn("a worker call failed on the leader", e);
            reply.completeExceptionally(e);
          }
        });
  }

  /** Whether this node runs a leader session now (it leads and has applied its term's start). */
  public boolean isLeading() {
    return leading;
  }

  private void closeSession() {
    leading = false;
    if (session != null) {
      session.close();
      session = null;
    }
  }
}
