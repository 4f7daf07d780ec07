package io.raftcron.raft;

import com.alipay.sofa.jraft.Closure;
import com.alipay.sofa.jraft.JRaftUtils;
import com.alipay.sofa.jraft.Node;
import com.alipay.sofa.jraft.RaftGroupService;
import com.alipay.sofa.jraft.Status;
import com.alipay.sofa.jraft.closure.ReadIndexClosure;
import com.alipay.sofa.jraft.closure.TaskClosure;
import com.alipay.sofa.jraft.conf.Configuration;
import com.alipay.sofa.jraft.core.NodeImpl;
import com.alipay.sofa.jraft.entity.PeerId;
import com.alipay.sofa.jraft.entity.Task;
import com.alipay.sofa.jraft.error.RaftError;
import com.alipay.sofa.jraft.option.NodeOptions;
import com.alipay.sofa.jraft.option.ReadOnlyOption;
import com.alipay.sofa.jraft.rpc.RpcServer;
import com.alipay.sofa.jraft.util.RepeatedTimer;
import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One member of a raft group: proposes byte commands, applies committed ones to a {@link ReplicatedStateMachine} and
 * reports leadership to a {@link LeadershipListener}.
 *
 * <p>Futures returned here complete on a raft-core callback thread, never on jraft's FSM thread, so a dependent stage
 * cannot stall the group; still, do not block in dependent stages (use the *Async variants for slow work).
 */
public final class RaftNode implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(RaftNode.class);

  // jraft 1.4.1 exposes the current term only through package-private NodeImpl.getCurrentTerm(); jraft runs on the
  // class path (unnamed module), so reflection needs no --add-opens.
  private static final Method CURRENT_TERM;
  // Also package-private state: the follower's election timer, whose period raftcron shortens (see tickElectionTimer).
  private static final Field ELECTION_TIMER;

  static {
    // bolt logs through sofa-common-tools 1.4.0, whose logback support calls a method logback 1.3+ removed: it prints
    // a NoSuchMethodError trace and falls back to the application's slf4j loggers. Skip straight to that fallback, so
    // bolt's messages land in our logging ("com.alipay.sofa.common.log") instead of files under ~/logs. This must run
    // before any bolt class loads; operators can still override it on the command line.
    if (System.getProperty("logback.middleware.log.disable") == null) {
      System.setProperty("logback.middleware.log.disable", "true");
    }
    try {
      CURRENT_TERM = NodeImpl.class.getDeclaredMethod("getCurrentTerm");
      CURRENT_TERM.setAccessible(true);
      ELECTION_TIMER = NodeImpl.class.getDeclaredField("electionTimer");
      ELECTION_TIMER.setAccessible(true);
    } catch (NoSuchMethodException | NoSuchFieldException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int ELECTION_TICKS_PER_TIMEOUT = 10;
  private static final int ELECTION_DELAY_DIVISOR = 5;

  private final String raftAddress;
  private final Semaphore inflight;
  private final int maxInflightProposals;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ExecutorService events = Executors.newSingleThreadExecutor(daemon("raftcron-raft-events"));
  private final ExecutorService callbacks = Executors.newSingleThreadExecutor(daemon("raftcron-raft-callbacks"));
  private final ExecutorService snapshotWork = Executors.newSingleThreadExecutor(daemon("raftcron-raft-snapshot"));
  private final JraftStateMachine fsm;
  private final int snapshotLogEntries;
  private final Executor raftRpcExecutor;
  private final Executor cliRpcExecutor;
  private final RaftGroupService group;
  private final Node node;

  private RaftNode(RaftNodeConfig config, ReplicatedStateMachine stateMachine, LeadershipListener listener) {
    PeerId self = new PeerId();
    if (!self.parse(config.raftAddr())) {
      throw new IllegalArgumentException("raftAddr is not ip:port: " + config.raftAddr());
    }
    Configuration initialConf = new Configuration();
    if (!config.peers().isEmpty() && !initialConf.parse(String.join(",", config.peers()))) {
      throw new IllegalArgumentException("peers are not ip:port: " + config.peers());
    }
    this.raftAddress = config.raftAddr();
    this.inflight = new Semaphore(config.maxInflightProposals());
    this.maxInflightProposals = config.maxInflightProposals();
    this.snapshotLogEntries = config.snapshotLogEntries();
    this.fsm = new JraftStateMachine(stateMachine, listener, events, snapshotWork, snapshotLogEntries,
        this::snapshotForLogGrowth);

    Path dataDir = config.dataDir();
    try {
      Files.createDirectories(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // With log4j2 (or an old logback) present, sofa-common-tools writes bolt's own log files under ${logging.path},
    // by default ~/logs. Keep them with the node's data unless the operator chose a place.
    if (System.getProperty("logging.path") == null) {
      System.setProperty("logging.path", dataDir.resolve("logs").toString());
    }

    NodeOptions options = new NodeOptions();
    options.setFsm(fsm);
    options.setLogUri(dataDir.resolve("log").toString());
    options.setRaftMetaUri(dataDir.resolve("meta").toString());
    options.setSnapshotUri(snapshotDir(dataDir).toString());
    options.setInitialConf(initialConf);
    options.setElectionTimeoutMs(config.electionTimeoutMs());
    // The random delay jraft adds to every tick of the election timer (see tickElectionTimer) and to a candidate's
    // vote timeout: its default is 1 s whatever the timeout. A fifth of the timeout spreads the followers' ticks, and
    // the retries after a split vote, enough for three to five nodes.
    options.getRaftOptions().setMaxElectionDelayMs(Math.max(20, config.electionTimeoutMs() / ELECTION_DELAY_DIVISOR));
    options.setSnapshotIntervalSecs(config.snapshotIntervalSecs());
    // Not setFilterBeforeCopyRemote(true): in jraft 1.4.1 LocalSnapshotCopier.filterBeforeCopy removes files from the
    // set it iterates, so a follower whose earlier download left files the new snapshot lacks (RocksDB compacted in
    // between) fails every install with a ConcurrentModificationException and never catches up (found by the chaos
    // suite's isolate-follower-past-snapshot round). Installs download every file; the files carry checksums anyway.
    options.setEnableMetrics(true); // jraft's own timers and histograms, bridged into /metrics by the server
    // The same RPC server RaftGroupService would create, but bound before the node starts: start() binds last and,
    // when the port is taken, throws while leaving the node running with no handle to shut it down.
    requirePortFree(self);
    this.raftRpcExecutor = JRaftUtils.createExecutor("RAFT-RPC-executor-", options.getRaftRpcThreadPoolSize());
    this.cliRpcExecutor = JRaftUtils.createExecutor("CLI-RPC-executor-", options.getCliRpcThreadPoolSize());
    RpcServer rpcServer =
        PeerOnlyRpcServer.create(self, () -> knownPeers(initialConf), raftRpcExecutor, cliRpcExecutor);
    this.group = new RaftGroupService(config.groupId(), self, options, rpcServer);
    try {
      rpcServer.init(null);
      this.node = group.start(false);
      tickElectionTimer(node, config.electionTimeoutMs());
    } catch (RuntimeException e) {
      try {
        rpcServer.shutdown();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      shutdownExecutors();
      throw e;
    }
    LOG.info("raft node {} started in group {} with peers {}", raftAddress, config.groupId(), config.peers());
  }

  /**
   * jraft's follower election timer is a repeated timer that heartbeats do not reset: each tick calls an election
   * if the leader has been silent for the election timeout, and it ticks every timeout plus a random delay. A tick
   * that comes just before the silence reaches the timeout waits a whole period for the next one, so with a 1 s
   * timeout a crashed leader was replaced 1-2.3 s after the crash (measured 1.3-2.0 s). Ticking every tenth of the
   * timeout (plus the random delay, a fifth of it) keeps the timeout, the leader lease and pre-vote as they are but
   * notices the silence within 0.1-0.3 s of the timeout; the random delay still spreads the followers' first
   * attempts so that two rarely collide.
   */
  private static void tickElectionTimer(Node node, int electionTimeoutMs) {
    try {
      ((RepeatedTimer) ELECTION_TIMER.get(node)).reset(Math.max(10, electionTimeoutMs / ELECTION_TICKS_PER_TIMEOUT));
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot reach jraft's election timer", e);
    }
  }

  /** The initial peers and, once the node runs, those of its current configuration (learners too). */
  private List<PeerId> knownPeers(Configuration initialConf) {
    List<PeerId> peers = new java.util.ArrayList<>(initialConf.listPeers());
    if (node instanceof NodeImpl running) {
      Configuration current = running.getCurrentConf();
      peers.addAll(current.listPeers());
      peers.addAll(current.listLearners());
    }
    return peers;
  }

  static Path snapshotDir(Path dataDir) {
    return dataDir.resolve("snapshot");
  }

  /** A failed bind leaves bolt's non-daemon boss thread running (bolt 1.6.12), so catch a taken port before bolt. */
  private static void requirePortFree(PeerId self) {
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(self.getIp(), self.getPort())); // where PeerOnlyRpcServer binds bolt
    } catch (IOException e) {
      throw new IllegalStateException("raft port " + self.getPort() + " is not available: " + e.getMessage(), e);
    }
  }

  /** Starts the node: opens its storage under {@code config.dataDir()}, binds the raft port and joins the group. */
  public static RaftNode start(
      RaftNodeConfig config, ReplicatedStateMachine stateMachine, LeadershipListener listener) {
    return new RaftNode(config, stateMachine, listener);
  }

  /**
   * Proposes {@code command} (not to be modified afterwards) with {@code Task.expectedTerm = expectedTerm}. Completes
   * with the apply() result once committed and applied here; fails with {@link NotLeaderException} (the entry was not
   * appended) or {@link ProposalFailedException} (jraft's status text; the outcome is unknown, the entry may still
   * commit; a {@link LeadershipLostException} when this node stopped leading with the entry in flight). At most
   * maxInflightProposals are in flight; beyond that it fails fast with "overloaded".
   */
  public CompletableFuture<Object> propose(byte[] command, long expectedTerm) {
    return propose(command, expectedTerm, () -> {});
  }

  /**
   * As {@link #propose(byte[], long)}; {@code onCommitted} runs once a quorum holds the entry, before it is applied
   * (jraft's {@code TaskClosure.onCommitted}). It runs on jraft's FSM thread, before the batch of entries that
   * commit with it is applied: it must be quick and must not block. A failed proposal never calls it.
   */
  public CompletableFuture<Object> propose(byte[] command, long expectedTerm, Runnable onCommitted) {
    if (!running.get()) {
      return CompletableFuture.failedFuture(new ProposalFailedException("raft node is closed"));
    }
    if (!node.isLeader()) {
      return CompletableFuture.failedFuture(notLeader());
    }
    // jraft's own queue is 16k deep and answers EBUSY only once full; flooding it starves a small host (jraft.md §9.2).
    if (!inflight.tryAcquire()) {
      return CompletableFuture.failedFuture(new ProposalFailedException("overloaded"));
    }
    ProposalClosure closure = new ProposalClosure(onCommitted);
    try {
      node.apply(new Task(ByteBuffer.wrap(command), closure, expectedTerm));
    } catch (RuntimeException e) {
      // IllegalStateException while shutting down, NullPointerException once joined.
      closure.run(new Status(RaftError.ENODESHUTDOWN, "apply rejected: %s", e));
    }
    return closure.future;
  }

  /**
   * Completes when this node's state machine has applied everything committed before the call (jraft ReadIndex,
   * ReadOnlySafe); a follower asks the leader. Fails with an IllegalStateException carrying jraft's status (no leader,
   * a new leader that has not committed in its term yet, timeout after 2 s).
   */
  public CompletableFuture<Void> readIndex() {
    return whenDone("readIndex", status -> new IllegalStateException("readIndex failed: " + status),
        done -> node.readIndex(ReadOnlyOption.ReadOnlySafe, null, new ReadIndexClosure() {
          @Override
          public void run(Status status, long index, byte[] requestContext) {
            done.run(status);
          }
        }));
  }

  /** The log grew by snapshotLogEntries since the last snapshot: take one, so that a restart replays less. */
  private void snapshotForLogGrowth() {
    if (node == null) { // still starting: the next applied batch asks again
      fsm.snapshotDone();
      return;
    }
    LOG.info("{} entries applied since the last snapshot: taking one", snapshotLogEntries);
    snapshot().whenComplete((ok, failure) -> {
      if (failure != null) {
        LOG.warn("snapshot for log growth failed: {}", failure.getMessage());
      }
      fsm.snapshotDone();
    });
  }

  /** Takes a snapshot of this node now; completes when it is saved (at once when nothing was applied since the last). */
  public CompletableFuture<Void> snapshot() {
    return whenDone("snapshot", status -> new IllegalStateException("snapshot failed: " + status),
        done -> node.snapshot(done));
  }

  /**
   * Adds {@code raftAddr} as a voter (jraft's addPeer: the leader first catches the new peer up, by snapshot install
   * when its log was compacted, then commits the new configuration). Leader only; fails with {@link NotLeaderException}
   * elsewhere, with an IllegalArgumentException when the change makes no sense for the configuration (the peer is
   * already in it, or not in it for a removal) and with an IllegalStateException carrying jraft's status otherwise
   * (e.g. another change in progress).
   */
  public CompletableFuture<Void> addPeer(String raftAddr) {
    PeerId peer = peer(raftAddr);
    return changeMembership("addPeer " + raftAddr, done -> node.addPeer(peer, done));
  }

  /** Removes the voter {@code raftAddr}; a leader that removes itself steps down once the change commits. */
  public CompletableFuture<Void> removePeer(String raftAddr) {
    PeerId peer = peer(raftAddr);
    return changeMembership("removePeer " + raftAddr, done -> node.removePeer(peer, done));
  }

  /**
   * Starts handing leadership to {@code raftAddr}, or to the most caught-up voter when empty. jraft stops accepting
   * proposals here and lets the target time out its election at once; the transfer is over when the target leads
   * (or this node resumes after an election timeout). Throws when jraft refuses to start it.
   */
  public void transferLeadershipTo(Optional<String> raftAddr) {
    if (!running.get()) {
      throw new IllegalStateException("raft node is closed");
    }
    if (!node.isLeader()) {
      throw notLeader();
    }
    PeerId target = raftAddr.map(RaftNode::peer).orElse(PeerId.ANY_PEER);
    if (target.equals(self())) {
      return; // already leading
    }
    Status status = node.transferLeadershipTo(target);
    if (!status.isOk()) {
      throw new IllegalStateException("leadership transfer refused: " + status);
    }
  }

  /** The current configuration as this node's leader role knows it; empty when this node does not lead. */
  public Optional<Membership> membership() {
    if (!node.isLeader()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Membership(addresses(node.listPeers()), addresses(node.listLearners())));
    } catch (IllegalStateException lostLeadership) {
      return Optional.empty();
    }
  }

  /** The voters and learners of the group's configuration, as raft ip:port strings. */
  public record Membership(List<String> voters, List<String> learners) {
    public Membership {
      voters = List.copyOf(voters);
      learners = List.copyOf(learners);
    }
  }

  private static List<String> addresses(List<PeerId> peers) {
    return peers.stream().map(p -> p.getEndpoint().toString()).sorted().toList();
  }

  private PeerId self() {
    return peer(raftAddress);
  }

  /** Parses ip:port; jraft needs a concrete ip, as for --raft-addr. */
  static PeerId peer(String raftAddr) {
    PeerId peer = new PeerId();
    if (raftAddr == null || !peer.parse(raftAddr) || peer.getIp().equals("0.0.0.0")) {
      throw new IllegalArgumentException("'" + raftAddr + "' is not a raft address ip:port");
    }
    return peer;
  }

  private CompletableFuture<Void> changeMembership(String what, Consumer<Closure> change) {
    if (running.get() && !node.isLeader()) {
      return CompletableFuture.failedFuture(notLeader());
    }
    return whenDone(what, status -> membershipFailure(what, status), change);
  }

  /**
   * Starts {@code call}, a jraft operation that reports through a closure, and completes when the closure runs: normally
   * when the status is ok, else with {@code failure(status)}. jraft throwing instead fails the future: an
   * IllegalArgumentException when it refuses the arguments (membership: "Peer not found", "Peer already exists"), an
   * IllegalStateException otherwise (closed concurrently).
   */
  private CompletableFuture<Void> whenDone(String what, Function<Status, RuntimeException> failure, Consumer<Closure> call) {
    if (!running.get()) {
      return CompletableFuture.failedFuture(new IllegalStateException("raft node is closed"));
    }
    CompletableFuture<Void> future = new CompletableFuture<>();
    try {
      call.accept(status -> settle(future, null, status.isOk() ? null : failure.apply(status)));
    } catch (IllegalArgumentException e) {
      future.completeExceptionally(new IllegalArgumentException(what + " refused: " + e.getMessage(), e));
    } catch (RuntimeException e) {
      future.completeExceptionally(new IllegalStateException(what + " rejected", e));
    }
    return future;
  }

  private RuntimeException membershipFailure(String what, Status status) {
    if (status.getRaftError() == RaftError.EPERM) {
      return notLeader();
    }
    return new IllegalStateException(what + " failed: " + status);
  }

  /** Leader AND its state machine has announced this term through onLeaderStart (it has applied all earlier entries). */
  public boolean isLeader() {
    long term = fsm.leaderTerm();
    return term > 0 && node.isLeader() && currentTerm() == term;
  }

  /** The term passed to the last onLeaderStart, 0 when not leading. */
  public long leaderTerm() {
    return fsm.leaderTerm();
  }

  public long currentTerm() {
    try {
      return (long) CURRENT_TERM.invoke(node);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Raft ip:port of the leader as this node knows it. */
  public Optional<String> leaderAddress() {
    PeerId leader = node.getLeaderId();
    return leader == null || leader.isEmpty() ? Optional.empty() : Optional.of(leader.getEndpoint().toString());
  }

  /** LEADER, FOLLOWER, CANDIDATE, TRANSFERRING, ERROR, SHUTTING, SHUTDOWN, ... from jraft's State. */
  public String role() {
    return node.getNodeState().name().replaceFirst("^STATE_", "");
  }

  /**
   * jraft's last applied index (including entries skipped because the state machine already had them). Once the node
   * is no longer active (error, shut down), jraft refuses to answer; then it is the last entry the state machine got.
   */
  public long appliedIndex() {
    try {
      return node.getLastAppliedLogIndex();
    } catch (IllegalStateException notActive) {
      return fsm.lastEntryIndex();
    }
  }

  public String raftAddress() {
    return raftAddress;
  }

  /** The last log index a majority has stored; 0 once the node is no longer active. */
  public long committedIndex() {
    try {
      return node.getLastCommittedIndex();
    } catch (IllegalStateException notActive) {
      return 0;
    }
  }

  /** Proposals of this node waiting to commit (bounded by maxInflightProposals). */
  public int inflightProposals() {
    return maxInflightProposals - inflight.availablePermits();
  }

  /** jraft's own metrics (Dropwizard: replication, log and FSM timings) for this node. */
  public MetricRegistry jraftMetrics() {
    return node.getNodeMetrics().getMetricRegistry();
  }

  /** shutdown() then join(), then the executors (join waits for running snapshots, which need them); idempotent. */
  @Override
  public void close() {
    if (running.compareAndSet(true, false)) {
      // The node first: RaftGroupService stops bolt's server before the node, which takes seconds, and all the while a
      // leader would go on heartbeating through its client connections, keeping its peers from electing a successor.
      node.shutdown();
      group.shutdown();
      try {
        group.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      shutdownExecutors();
      LOG.info("raft node {} closed", raftAddress);
    }
  }

  private void shutdownExecutors() {
    // RaftGroupService leaves the RPC executors running after shutdown; they are ours here.
    for (Executor executor : new Executor[] {raftRpcExecutor, cliRpcExecutor}) {
      if (executor instanceof ExecutorService service) {
        service.shutdown();
      }
    }
    List<ExecutorService> ours = List.of(snapshotWork, events, callbacks);
    ours.forEach(ExecutorService::shutdown);
    // Let the final onLeaderStop and the failed proposals reach their listeners, but never hang the caller.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    for (ExecutorService executor : ours) {
      try {
        if (!executor.awaitTermination(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
          executor.shutdownNow();
        }
      } catch (InterruptedException e) {
        executor.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private NotLeaderException notLeader() {
    return new NotLeaderException(leaderAddress().orElse(null));
  }

  /** Completes {@code future} on the callback thread: it may be called on jraft's FSM thread. */
  private <T> void settle(CompletableFuture<T> future, T value, Throwable failure) {
    Runnable completion = failure == null ? () -> future.complete(value) : () -> future.completeExceptionally(failure);
    try {
      callbacks.execute(completion);
    } catch (RejectedExecutionException e) {
      completion.run(); // closed: jraft still fails pending closures after join, complete them here
    }
  }

  private static ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * The proposer's closure; jraft runs it on failure and tells it when the entry commits, {@link JraftStateMachine}
   * calls succeed after apply.
   */
  final class ProposalClosure implements TaskClosure {

    final CompletableFuture<Object> future = new CompletableFuture<>();
    // jraft may both fail the closure and throw from apply() while shutting down: settle and release once.
    private final AtomicBoolean settled = new AtomicBoolean();
    private final Runnable onCommitted;

    ProposalClosure(Runnable onCommitted) {
      this.onCommitted = onCommitted;
    }

    @Override
    public void onCommitted() {
      try {
        onCommitted.run();
      } catch (RuntimeException e) {
        LOG.warn("commit observer failed", e); // an observer's bug must not stop the FSM thread
      }
    }

    void succeed(Object result) {
      if (settled.compareAndSet(false, true)) {
        inflight.release();
        settle(future, result, null);
      }
    }

    @Override
    public void run(Status status) {
      if (status.isOk()) {
        succeed(null);
      } else if (settled.compareAndSet(false, true)) {
        inflight.release();
        settle(future, null, failure(status));
      }
    }

    private RuntimeException failure(Status status) {
      // "Is not leader." is set before the entry is appended, so only then is a retry elsewhere known to be safe;
      // "Leader stepped down" (a step-down or shutdown with the entry in flight) and the rest leave the outcome unknown.
      String permission = status.getRaftError() == RaftError.EPERM ? String.valueOf(status.getErrorMsg()) : "";
      if (permission.startsWith("Is not leader")) {
        return notLeader();
      }
      if (permission.startsWith("Leader stepped down")) {
        return new LeadershipLostException(status.toString());
      }
      return new ProposalFailedException(status.toString());
    }
  }
}
