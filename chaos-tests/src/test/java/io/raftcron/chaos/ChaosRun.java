package io.raftcron.chaos;

import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.raftcron.proto.BackfillJobResponse;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.NodeStatus;
import io.raftcron.proto.Run;
import io.raftcron.proto.ShellExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One chaos run: a cluster in containers, the workloads, the nemesis rounds, the checkers and the
 * report folder {@code target/chaos/<test>/<seed>/} (history.jsonl, status.jsonl, witness/,
 * nodes/<id>/node.log, workers/, checks.txt, summary.md).
 *
 * <p>Each round: W2 on fresh keys, a fault injected and healed, recovery measured (I7), W2 stopped,
 * the keys read back, the replicas read once they converged, every checker run over everything
 * seen so far; only violations not reported by an earlier round are the round's own.
 */
final class ChaosRun implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ChaosRun.class);

  static final String SLOW_JOB = "slow";
  /** I7: a leader, and a fire of every job, within these bounds after the last heal. */
  static final Duration LEADER_BOUND = Duration.ofSeconds(45);
  static final Duration FIRE_BOUND = Duration.ofSeconds(45);
  /** I2 checks slots up to this long before the replicas were read. */
  static final Duration I2_GRACE = Duration.ofSeconds(15);
  static final Duration CALL = Duration.ofSeconds(3);
  static final Duration CONVERGE_BOUND = Duration.ofSeconds(60);

  record InFlight(String worker, String runId, long token) {}

  record RoundReport(int index, NemesisKind kind, String detail, List<Violation> violations, Checks.Figures figures,
      long leaderAfterHealMs, long fireAfterHealMs, String w2, String i5, String fencing, Duration took) {}

  private record Observation(Witness.Record witness, List<NodeView> views, long index, Instant at) {}

  private final String test;
  private final long seed;
  private final Path dir;
  private final ChaosCluster cluster;
  private final History history;
  private final Observer observer;
  private final List<Checks.ScheduledJob> w1 = new ArrayList<>();
  private final Checks.Ledger ledger = new Checks.Ledger();
  private final Set<String> reported = new HashSet<>();
  private final List<RoundReport> reports = new ArrayList<>();
  private final List<InFlight> staleCandidates = new ArrayList<>();
  private final int w1Jobs;

  ChaosRun(String test, long seed, ChaosCluster.Settings settings, int w1Jobs) throws Exception {
    this.test = test;
    this.seed = seed;
    this.w1Jobs = w1Jobs;
    this.dir = Path.of(System.getProperty("chaos.dir", "target/chaos"), test, Long.toString(seed)).toAbsolutePath();
    if (Files.exists(dir)) {
      deleteTree(dir);
    }
    Files.createDirectories(dir);
    System.out.printf("CHAOS %s: seed %d (replay with -Dchaos.seed=%d); report in %s%n", test, seed, seed, dir);
    this.history = new History(dir.resolve("history.jsonl"), seed);
    ChaosCluster c = null;
    Observer o = null;
    try {
      c = new ChaosCluster(dir, settings, seed);
      o = new Observer(c, dir.resolve("status.jsonl"));
    } catch (Exception e) {
      if (c != null) {
        c.close();
      }
      history.close();
      throw e;
    }
    this.cluster = c;
    this.observer = o;
  }

  /** A seed from -Dchaos.seed, or a fresh one. */
  static long seed() {
    String property = System.getProperty("chaos.seed", "");
    return property.isBlank() ? System.currentTimeMillis() : Long.parseLong(property.strip());
  }

  ChaosCluster cluster() {
    return cluster;
  }

  History history() {
    return history;
  }

  Path dir() {
    return dir;
  }

  long seedValue() {
    return seed;
  }

  List<RoundReport> reports() {
    return List.copyOf(reports);
  }

  /** Nodes, a leader, workers, the W1 jobs, and a first fire of each. */
  void setUp() throws Exception {
    long t0 = System.nanoTime();
    cluster.startNodes();
    observer.start();
    awaitLeader(Duration.ofSeconds(90));
    cluster.startWorkers();
    for (int i = 0; i < w1Jobs; i++) {
      createW1("tick-" + i, "* * * * * *", 1, Witness.command(0));
    }
    // W3: runs that last about a lease (5 s), held by heartbeats while workers are paused and killed.
    createW1(SLOW_JOB, "*/2 * * * * *", 2, Witness.command(4));
    await("every W1 job fires").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .until(() -> w1.stream().allMatch(j -> newestSlot(j.name()) != null));
    history.note("set up in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
    log.info("cluster up, W1 firing, after {} ms", (System.nanoTime() - t0) / 1_000_000);
  }

  private void createW1(String name, String schedule, int step, String command) {
    JobSpec spec = JobSpec.newBuilder().setName(name).setSchedule(schedule).setMisfire(MisfirePolicy.FIRE_ALL)
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand(command))).build();
    AtomicReference<Boolean> done = new AtomicReference<>(false);
    await("create " + name).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
      ChaosCluster.Box leader = awaitLeader();
      Op op = history.invoke("setup", Op.F.CREATE, name, command, 0);
      try {
        Job job = Api.create(leader, spec, CALL);
        history.ok(op, job.getVersion(), null);
        done.set(true);
      } catch (StatusRuntimeException e) {
        RegisterWorkload.complete(history, op, e);
        // ALREADY_EXISTS after an unknown first attempt: that attempt took effect.
        done.set(op.type == Op.Type.FAIL);
      }
      return done.get();
    });
    w1.add(new Checks.ScheduledJob(name, step));
  }

  // --- rounds --------------------------------------------------------------------------------------

  RoundReport round(int index, NemesisKind kind) throws Exception {
    long t0 = System.nanoTime();
    Instant start = Instant.now();
    history.note("round " + index + " (" + kind.label() + ") begins");
    log.info("round {}: {}", index, kind.label());
    Random random = new Random(seed * 7919 + index);
    List<String> keys = List.of("kv-r" + index + "-a", "kv-r" + index + "-b", "kv-r" + index + "-c",
        "kv-r" + index + "-d");
    RegisterWorkload w2 = new RegisterWorkload(cluster, history, keys, random.nextLong(), 3);
    NemesisKind.Outcome outcome;
    long leaderMs = -1;
    long fireMs = -1;
    List<Violation> i7 = new ArrayList<>();
    w2.start();
    try {
      Thread.sleep(2000); // workload before the fault
      backfillDecidedSlots();
      outcome = kind.inject(this, random);
      long healed = System.nanoTime();
      try {
        awaitLeader(LEADER_BOUND);
        leaderMs = (System.nanoTime() - healed) / 1_000_000;
      } catch (ConditionTimeoutException e) {
        i7.add(new Violation("I7", "round " + index + ": no leader within " + LEADER_BOUND.toSeconds()
            + " s of the heal (" + outcome.detail() + ")"));
      }
      long healSecond = outcome.healedAt().getEpochSecond();
      try {
        await("every job fires after the heal").atMost(FIRE_BOUND).pollInterval(Duration.ofMillis(250))
            .until(() -> w1.stream().allMatch(j -> {
              Instant newest = newestSlot(j.name());
              return newest != null && newest.getEpochSecond() >= healSecond;
            }));
        fireMs = (System.nanoTime() - healed) / 1_000_000;
      } catch (ConditionTimeoutException e) {
        i7.add(new Violation("I7", "round " + index + ": not every job fired within " + FIRE_BOUND.toSeconds()
            + " s of the heal (" + outcome.detail() + "); newest slots: " + newestSlots()));
      }
      Thread.sleep(1000); // workload after recovery
    } finally {
      w2.stop();
      healEverything();
    }
    history.note("round " + index + " workload stopped");

    List<String> readBack = new ArrayList<>(keys);
    w1.forEach(j -> readBack.add(j.name()));
    Map<String, AckedWrites.Final> finals = readFinals(readBack);
    Observation obs = observe();

    // Read after the replicas: a run they show SUCCEEDED has its witness lines written by now.
    Witness.Record witnessAfter = Witness.read(cluster.witnessDir());
    List<Violation> all = new ArrayList<>(i7);
    all.addAll(ledger.observe(obs.views()));
    all.addAll(Checks.i1(obs.views(), obs.witness()));
    all.addAll(Checks.i2(obs.views(), w1, obs.at().minus(I2_GRACE)));
    Set<String> w1Names = w1.stream().map(Checks.ScheduledJob::name).collect(Collectors.toSet());
    List<Op> ops = history.ops();
    List<Op> roundOps = ops.stream().filter(op -> keys.contains(op.key)).toList();
    List<Op> w1Ops = ops.stream().filter(op -> w1Names.contains(op.key)).toList();
    List<Op> i3Ops = new ArrayList<>(roundOps);
    i3Ops.addAll(w1Ops);
    all.addAll(AckedWrites.check(i3Ops, finals));
    List<Linearizability.Result> lin = Linearizability.check(roundOps, Linearizability.DEFAULT_STEP_LIMIT);
    all.addAll(Linearizability.violations(lin));
    all.addAll(Checks.i4(obs.views(), witnessAfter));
    all.addAll(Checks.i6(obs.views(), observer.leaders()));
    all.addAll(Checks.converged(obs.views(), obs.index()));
    all.addAll(Checks.i8(witnessAfter, Duration.ofMillis(500)));

    List<Violation> fresh = all.stream().filter(v -> reported.add(v.toString())).toList();
    Checks.Figures figures = Checks.figures(window(obs.views(), start), w1, window(obs.witness(), start));
    String w2Stats = w2Stats(roundOps);
    String i5 = lin.stream().map(r -> r.key() + "=" + r.outcome().name().toLowerCase() + "(" + r.ops() + " ops, "
        + r.steps() + " steps)").collect(Collectors.joining(", "));
    String fencing = fencingExercised(obs);
    RoundReport report = new RoundReport(index, kind, outcome.detail(), fresh, figures, leaderMs, fireMs, w2Stats, i5,
        fencing, Duration.ofNanos(System.nanoTime() - t0));
    reports.add(report);
    writeRound(report, lin);
    history.note("round " + index + " checked: " + fresh.size() + " new violations");
    deleteKeys(keys);
    return report;
  }

  /** Best effort, after a round's checks: its W2 keys would otherwise fire through every later round. */
  private void deleteKeys(List<String> keys) {
    for (String key : keys) {
      try {
        Api.delete(awaitLeader(), key, CALL);
      } catch (StatusRuntimeException | ConditionTimeoutException e) {
        history.note("could not delete " + key + " after its round: " + e.getMessage());
      }
    }
  }

  /**
   * An operator re-running the last seconds of a W1 job: every slot there already has a fire
   * decision, so the cluster must refuse each one; a slot fired again shows up as I1.
   */
  private void backfillDecidedSlots() {
    String job = w1.get(0).name();
    try {
      ChaosCluster.Box leader = awaitLeader();
      Instant cursor = Instant.ofEpochSecond(Api.get(leader, job, false, CALL).getCursor().getSeconds());
      Instant from = cursor.minusSeconds(5);
      BackfillJobResponse response = Api.backfill(leader, job, from, cursor, CALL);
      history.note("backfill of " + job + " (" + from + ", " + cursor + "]: " + response.getRunsCount()
          + " runs created, " + response.getAlreadyDecided() + " slots already decided");
    } catch (StatusRuntimeException | ConditionTimeoutException e) {
      history.note("backfill of " + job + " did not complete: " + e.getMessage());
    }
  }

  /** After every round, whatever happened: every container running and unfrozen, no partition. */
  private void healEverything() {
    List<ChaosCluster.Box> all = new ArrayList<>(cluster.nodes());
    all.addAll(cluster.workers());
    for (ChaosCluster.Box box : all) {
      try {
        cluster.thaw(box);
        cluster.restart(box);
      } catch (RuntimeException e) {
        log.warn("could not heal {}: {}", box, e.getMessage());
      }
    }
    try {
      cluster.healPartitions();
    } catch (Exception e) {
      log.warn("could not heal partitions: {}", e.getMessage());
    }
  }

  /** Linearizable reads of each key, retried (each attempt is in the history) until one answers. */
  private Map<String, AckedWrites.Final> readFinals(List<String> keys) {
    Map<String, AckedWrites.Final> finals = new LinkedHashMap<>();
    for (String key : keys) {
      try {
        await("read back " + key).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300)).until(() -> {
          ChaosCluster.Box leader = awaitLeader();
          Op op = history.invoke("final", Op.F.GET, key, null, 0);
          try {
            Job job = Api.get(leader, key, false, CALL);
            history.ok(op, job.getVersion(), RegisterWorkload.valueOf(job));
            finals.put(key, AckedWrites.Final.of(job.getVersion(), RegisterWorkload.valueOf(job)));
            return true;
          } catch (StatusRuntimeException e) {
            RegisterWorkload.complete(history, op, e);
            if (op.type == Op.Type.FAIL) {
              finals.put(key, AckedWrites.Final.absent());
              return true;
            }
            return false;
          }
        });
      } catch (ConditionTimeoutException e) {
        history.note("could not read back " + key);
      }
    }
    return finals;
  }

  /** The witness, then every replica once all have applied what the leader had applied. */
  private Observation observe() {
    Witness.Record witness = Witness.read(cluster.witnessDir());
    ChaosCluster.Box leader = awaitLeader(LEADER_BOUND);
    long index = Api.status(leader, CALL).map(NodeStatus::getAppliedIndex).orElse(0L);
    try {
      // A node restarted by the round replays its log or installs a snapshot first: on this 2-core
      // machine under load that can take tens of seconds, and converging later than this is I6.
      await("replicas apply up to " + index).atMost(CONVERGE_BOUND).pollInterval(Duration.ofMillis(250))
          .until(() -> cluster.nodes().stream().allMatch(n ->
              Api.status(n, Duration.ofSeconds(1)).map(s -> s.getAppliedIndex() >= index).orElse(false)));
    } catch (ConditionTimeoutException e) {
      history.note("not every replica applied up to " + index + " within " + CONVERGE_BOUND.toSeconds() + " s");
    }
    List<NodeView> views = new ArrayList<>();
    for (ChaosCluster.Box node : cluster.nodes()) {
      NodeView view = readView(node);
      if (view != null) {
        views.add(view);
      }
    }
    return new Observation(witness, views, index, Instant.now());
  }

  private NodeView readView(ChaosCluster.Box node) {
    NodeView last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      try {
        long applied = Api.status(node, CALL).map(NodeStatus::getAppliedIndex).orElse(-1L);
        Map<String, Job> before = w1Jobs(node);
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        for (Checks.ScheduledJob job : w1) {
          runs.put(job.name(), Api.runs(node, job.name(), true, Duration.ofSeconds(10)));
        }
        Map<String, Job> after = w1Jobs(node);
        boolean stable = before.keySet().equals(after.keySet()) && before.keySet().stream()
            .allMatch(k -> before.get(k).getFiredCount() == after.get(k).getFiredCount());
        last = new NodeView(node.id, applied, after, runs, stable);
        if (stable) {
          return last;
        }
      } catch (StatusRuntimeException e) {
        log.info("reading {} failed: {}", node, e.getStatus());
      }
    }
    if (last == null) {
      history.note("could not read the replica of " + node.id);
    }
    return last;
  }

  private Map<String, Job> w1Jobs(ChaosCluster.Box node) {
    Set<String> names = w1.stream().map(Checks.ScheduledJob::name).collect(Collectors.toSet());
    return Api.listJobs(node, true, CALL).stream().filter(j -> names.contains(j.getSpec().getName()))
        .collect(Collectors.toMap(j -> j.getSpec().getName(), j -> j, (a, b) -> a, LinkedHashMap::new));
  }

  // --- helpers for the nemeses -------------------------------------------------------------------

  ChaosCluster.Box awaitLeader() {
    return awaitLeader(LEADER_BOUND);
  }

  /** The node that says it leads, in the highest term any node reports. */
  ChaosCluster.Box awaitLeader(Duration bound) {
    AtomicReference<ChaosCluster.Box> found = new AtomicReference<>();
    await("a leader").atMost(bound).pollInterval(Duration.ofMillis(200)).until(() -> {
      found.set(currentLeader(null));
      return found.get() != null;
    });
    return found.get();
  }

  Optional<ChaosCluster.Box> awaitLeaderOtherThan(ChaosCluster.Box old) {
    AtomicReference<ChaosCluster.Box> found = new AtomicReference<>();
    try {
      await("a leader other than " + old.id).atMost(LEADER_BOUND).pollInterval(Duration.ofMillis(200)).until(() -> {
        found.set(currentLeader(old));
        return found.get() != null;
      });
      return Optional.of(found.get());
    } catch (ConditionTimeoutException e) {
      history.note("no leader other than " + old.id + " within " + LEADER_BOUND.toSeconds() + " s");
      return Optional.empty();
    }
  }

  void awaitAnswering(ChaosCluster.Box node) {
    try {
      await(node.id + " answers").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
          .until(() -> Api.status(node, Duration.ofSeconds(1)).isPresent());
    } catch (ConditionTimeoutException e) {
      history.note(node.id + " did not answer within 60 s of its restart");
    }
  }

  private ChaosCluster.Box currentLeader(ChaosCluster.Box excluded) {
    ChaosCluster.Box best = null;
    long bestTerm = -1;
    long maxTerm = -1;
    for (ChaosCluster.Box node : cluster.nodes()) {
      if (node == excluded) {
        continue;
      }
      Optional<NodeStatus> status = Api.status(node, Duration.ofMillis(500));
      if (status.isEmpty()) {
        continue;
      }
      maxTerm = Math.max(maxTerm, status.get().getTerm());
      boolean leads = status.get().getRole().equals("LEADER")
          && status.get().getLeaderRaftAddr().equals(node.ip + ":" + ChaosCluster.RAFT_PORT);
      if (leads && status.get().getTerm() > bestTerm) {
        best = node;
        bestTerm = status.get().getTerm();
      }
    }
    return best != null && bestTerm >= maxTerm ? best : null;
  }

  /** The newest slot of a job's runs, from whichever node answers first (stale read). */
  private Instant newestSlot(String job) {
    for (ChaosCluster.Box node : cluster.nodes()) {
      try {
        List<Run> runs = io.raftcron.proto.RunServiceGrpc.newBlockingStub(node.channel())
            .withDeadlineAfter(1, java.util.concurrent.TimeUnit.SECONDS)
            .listRuns(io.raftcron.proto.ListRunsRequest.newBuilder().setJob(job).setLimit(1).setStale(true).build())
            .getRunsList();
        Instant newest = runs.isEmpty() ? null : Instant.ofEpochSecond(runs.get(0).getSlot().getSeconds());
        if (newest != null) {
          return newest;
        }
      } catch (StatusRuntimeException e) {
        // next node
      }
    }
    return null;
  }

  private String newestSlots() {
    return w1.stream().map(j -> j.name() + "=" + newestSlot(j.name())).collect(Collectors.joining(", "));
  }

  /** A run of {@code job} that a worker has started and not finished, per the witness. */
  InFlight awaitInFlight(String job, Duration bound) {
    AtomicReference<InFlight> found = new AtomicReference<>();
    try {
      await("a run of " + job + " in flight").atMost(bound).pollInterval(Duration.ofMillis(50)).until(() -> {
        for (Witness.Exec exec : Witness.read(cluster.witnessDir()).execs()) {
          if (exec.job().equals(job) && !exec.ended()
              && System.currentTimeMillis() - exec.startEpochNanos() / 1_000_000 < 700) {
            found.set(new InFlight(exec.worker(), exec.runId(), exec.token()));
            return true;
          }
        }
        return false;
      });
    } catch (ConditionTimeoutException e) {
      return null;
    }
    return found.get();
  }

  void noteStaleCandidate(InFlight inFlight) {
    if (inFlight != null) {
      staleCandidates.add(inFlight);
    }
  }

  /** Whether a paused worker's lease was actually taken over and its late completion fenced. */
  private String fencingExercised(Observation obs) {
    if (staleCandidates.isEmpty()) {
      return "";
    }
    Map<String, Run> latest = Checks.latestRuns(obs.views());
    List<String> out = new ArrayList<>();
    for (InFlight f : staleCandidates) {
      Run run = latest.get(f.runId());
      boolean oldFinished = obs.witness().execs().stream()
          .anyMatch(e -> e.runId().equals(f.runId()) && e.token() == f.token() && e.ended());
      out.add(f.runId() + ": paused under token " + f.token() + (oldFinished ? " (finished after the pause)" : "")
          + ", now " + (run == null ? "unknown" : run.getState() + " under token " + run.getFencingToken()
          + " by " + run.getWorker() + ", " + run.getExpiredLeases() + " expired leases"));
    }
    staleCandidates.clear();
    return String.join("; ", out);
  }

  // --- reporting ---------------------------------------------------------------------------------

  private static List<NodeView> window(List<NodeView> views, Instant from) {
    long s = from.getEpochSecond();
    return views.stream().map(v -> new NodeView(v.node(), v.appliedIndex(), v.jobs(),
        v.runs().entrySet().stream().collect(Collectors.toMap(Map.Entry::getKey,
            e -> e.getValue().stream().filter(r -> r.getSlot().getSeconds() >= s).toList(),
            (a, b) -> a, LinkedHashMap::new)), v.countsStable())).toList();
  }

  private static Witness.Record window(Witness.Record witness, Instant from) {
    return new Witness.Record(witness.execs().stream()
        .filter(e -> Instant.parse(e.slot()).compareTo(from) >= 0).toList(), witness.problems(),
        witness.refusedWriteSlots().stream().filter(slot -> Instant.parse(slot).compareTo(from) >= 0).toList());
  }

  private static String w2Stats(List<Op> ops) {
    Map<Op.Type, Long> byType = new HashMap<>();
    for (Op op : ops) {
      if (op.type != null && !op.process.equals("final")) {
        byType.merge(op.type, 1L, Long::sum);
      }
    }
    return "ok " + byType.getOrDefault(Op.Type.OK, 0L) + ", fail " + byType.getOrDefault(Op.Type.FAIL, 0L)
        + ", info " + byType.getOrDefault(Op.Type.INFO, 0L);
  }

  private void writeRound(RoundReport r, List<Linearizability.Result> lin) {
    StringBuilder s = new StringBuilder();
    s.append(String.format("== round %d: %s (seed %d) ==%n", r.index(), r.kind().label(), seed));
    s.append("nemesis: ").append(r.detail()).append('\n');
    s.append("I7: leader ").append(r.leaderAfterHealMs()).append(" ms and every job fired ").append(r.fireAfterHealMs())
        .append(" ms after the heal\n");
    s.append("W1 (this round): ").append(r.figures().summary()).append('\n');
    s.append("W2: ").append(r.w2()).append("; I5: ").append(r.i5()).append('\n');
    if (!r.fencing().isEmpty()) {
      s.append("fencing: ").append(r.fencing()).append('\n');
    }
    for (Linearizability.Result result : lin) {
      if (result.outcome() != Linearizability.Outcome.LINEARIZABLE) {
        s.append("I5 ").append(result.key()).append(": ").append(result.outcome()).append(' ').append(result.detail())
            .append('\n');
        history.ops().stream().filter(op -> op.key.equals(result.key()))
            .sorted(Comparator.comparingLong(op -> op.invokeNanos))
            .forEach(op -> s.append("    ").append(op).append('\n'));
      }
    }
    s.append("violations (new): ").append(r.violations().isEmpty() ? "none" : "").append('\n');
    r.violations().forEach(v -> s.append("  ").append(v).append('\n'));
    s.append("took ").append(r.took().toMillis()).append(" ms\n\n");
    try {
      Files.writeString(dir.resolve("checks.txt"), s.toString(), StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    System.out.print(s);
  }

  /** One line per round, for summary.md and the README's figures. */
  String summaryTable() {
    StringBuilder s = new StringBuilder();
    s.append("| round | nemesis | detail | leader after heal | all jobs fire after heal | fires | p99 lateness"
        + " | worst gap | W2 ok/fail/info | violations |\n");
    s.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (RoundReport r : reports) {
      s.append(String.format("| %d | %s | %s | %d ms | %d ms | %d | %d ms | %d ms | %s | %d |%n", r.index(),
          r.kind().label(), r.detail().replace('|', '/'), r.leaderAfterHealMs(), r.fireAfterHealMs(),
          r.figures().fires(), r.figures().latenessP99Ms(), r.figures().worstFireGapMs(),
          r.w2().replace("ok ", "").replace(", fail ", "/").replace(", info ", "/"), r.violations().size()));
    }
    return s.toString();
  }

  @Override
  public void close() {
    try {
      observer.close();
    } finally {
      try {
        Files.writeString(dir.resolve("summary.md"), "# " + test + ", seed " + seed + "\n\n" + summaryTable(),
            StandardCharsets.UTF_8);
      } catch (IOException e) {
        log.warn("could not write the summary: {}", e.getMessage());
      }
      cluster.close();
      history.close();
      // The RocksDB folders are large and of no use once the run is over; the logs stay.
      for (ChaosCluster.Box node : cluster.nodes()) {
        try {
          deleteTree(dir.resolve("nodes").resolve(node.id).resolve("db"));
        } catch (IOException e) {
          log.warn("could not delete {}'s data: {}", node.id, e.getMessage());
        }
      }
    }
  }

  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
