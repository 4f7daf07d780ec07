package io.raftcron.chaos;

import io.grpc.ConnectivityState;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftcron.proto.Executor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ShellExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * W2: a few client processes doing create / update-with-version / delete / get on a few keys,
 * each operation a single attempt against a random node. The keys are jobs that fire every two
 * seconds (their value is their command, {@code true ...}), so W2 is also W1's background churn:
 * jobs created, changed and deleted while they fire. A round's keys are deleted after its checks. A definite refusal is {@code fail}; a timeout, UNAVAILABLE or anything
 * else is {@code info} — never {@code fail}.
 */
final class RegisterWorkload {
  static final Duration OP_DEADLINE = Duration.ofSeconds(2);
  static final String SCHEDULE = "*/2 * * * * *";
  /** The error of a {@code fail} that never reached a node: checkers drop such operations. */
  static final String NOT_SENT = "NOT_SENT";
  private static final Duration AVOID = Duration.ofSeconds(3);

  private final ChaosCluster cluster;
  private final History history;
  private final List<String> keys;
  private final long seed;
  private final int processes;
  private final AtomicBoolean running = new AtomicBoolean();
  private final List<Thread> threads = new ArrayList<>();

  RegisterWorkload(ChaosCluster cluster, History history, List<String> keys, long seed, int processes) {
    this.cluster = cluster;
    this.history = history;
    this.keys = List.copyOf(keys);
    this.seed = seed;
    this.processes = processes;
  }

  static JobSpec spec(String key, String value) {
    return JobSpec.newBuilder().setName(key).setSchedule(SCHEDULE)
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand(value))).build();
  }

  static String valueOf(Job job) {
    return job.getSpec().getExecutor().getShell().getCommand();
  }

  void start() {
    running.set(true);
    for (int p = 0; p < processes; p++) {
      String process = "c" + p;
      Random random = new Random(seed * 1_000_003L + p);
      Thread t = new Thread(() -> loop(process, random), "w2-" + process);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  /** Stops invoking; operations in flight finish (each is bounded by its deadline). */
  void stop() throws InterruptedException {
    running.set(false);
    for (Thread t : threads) {
      t.join(OP_DEADLINE.multipliedBy(3).toMillis());
    }
  }

  private void loop(String process, Random random) {
    Map<String, Long> known = new HashMap<>();
    Map<String, Long> avoidUntil = new HashMap<>();
    int n = 0;
    while (running.get()) {
      String key = keys.get(random.nextInt(keys.size()));
      ChaosCluster.Box node = pickNode(random, avoidUntil);
      int dice = random.nextInt(100);
      if (dice < 20) {
        String value = "true " + process + "-" + (++n);
        invoke(process, Op.F.CREATE, key, value, 0, node, known);
      } else if (dice < 55) {
        String value = "true " + process + "-" + (++n);
        long expected = known.getOrDefault(key, 1L);
        if (random.nextInt(5) == 0) {
          expected = Math.max(1, expected - 1 - random.nextInt(3));
        }
        invoke(process, Op.F.UPDATE, key, value, expected, node, known);
      } else if (dice < 70) {
        invoke(process, Op.F.DELETE, key, null, 0, node, known);
      } else {
        invoke(process, Op.F.GET, key, null, 0, node, known);
      }
      Op last = history.lastOf(process);
      if (last != null && (last.type == Op.Type.INFO || NOT_SENT.equals(last.error))) {
        // Like a client that fails over: leave a node that did not answer alone for a while.
        avoidUntil.put(node.id, System.nanoTime() + AVOID.toNanos());
      }
      try {
        Thread.sleep(50 + random.nextInt(200));
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /**
   * A node whose connection is up and that has not just failed us, if there is one (a client that
   * keeps sending to a dead node only piles up unknown outcomes); otherwise any node.
   */
  private ChaosCluster.Box pickNode(Random random, Map<String, Long> avoidUntil) {
    List<ChaosCluster.Box> nodes = cluster.nodes();
    List<ChaosCluster.Box> good = new ArrayList<>();
    long now = System.nanoTime();
    for (ChaosCluster.Box node : nodes) {
      ConnectivityState state = node.channel.getState(true);
      boolean connected = state == ConnectivityState.READY || state == ConnectivityState.IDLE;
      if (connected && avoidUntil.getOrDefault(node.id, Long.MIN_VALUE) - now < 0) {
        good.add(node);
      }
    }
    List<ChaosCluster.Box> from = good.isEmpty() || random.nextInt(10) == 0 ? nodes : good;
    return from.get(random.nextInt(from.size()));
  }

  private void invoke(String process, Op.F f, String key, String value, long expected, ChaosCluster.Box node,
      Map<String, Long> known) {
    Op op = history.invoke(process, f, key, value, expected);
    try {
      switch (f) {
        case CREATE -> {
          Job job = Api.create(node, spec(key, value), OP_DEADLINE);
          known.put(key, job.getVersion());
          history.ok(op, job.getVersion(), null);
        }
        case UPDATE -> {
          Job job = Api.update(node, spec(key, value), expected, OP_DEADLINE);
          known.put(key, job.getVersion());
          history.ok(op, job.getVersion(), null);
        }
        case DELETE -> {
          Api.delete(node, key, OP_DEADLINE);
          history.ok(op, -1, null);
        }
        case GET -> {
          Job job = Api.get(node, key, false, OP_DEADLINE);
          known.put(key, job.getVersion());
          history.ok(op, job.getVersion(), valueOf(job));
        }
        default -> throw new IllegalStateException();
      }
    } catch (StatusRuntimeException e) {
      complete(history, op, e);
    } catch (RuntimeException e) {
      history.info(op, String.valueOf(e));
    }
  }

  /**
   * The call never left this process (gRPC buffered it while it waited for a connection that never
   * came, or the connection was refused), or the node refused it before proposing anything (it
   * knew no leader to forward it to, or was asked to forward a forwarded call): it did not happen.
   */
  static boolean neverSent(StatusRuntimeException e, String description) {
    if (e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED && description.contains("waiting_for_connection")) {
      return true;
    }
    if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
      return false;
    }
    for (Throwable t = e.getStatus().getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException) {
        return true;
      }
    }
    return description.startsWith("no leader known to node") || description.contains("is not the leader either");
  }

  /** Definite refusals are {@code fail}; everything else is unknown. */
  static void complete(History history, Op op, StatusRuntimeException e) {
    Status.Code code = e.getStatus().getCode();
    String description = e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription();
    if (neverSent(e, description)) {
      history.fail(op, NOT_SENT);
      return;
    }
    Set<Status.Code> definite = switch (op.f) {
      case CREATE -> Set.of(Status.Code.ALREADY_EXISTS);
      case UPDATE -> Set.of(Status.Code.FAILED_PRECONDITION, Status.Code.NOT_FOUND);
      case DELETE, GET -> Set.of(Status.Code.NOT_FOUND);
    };
    if (definite.contains(code)) {
      history.fail(op, code.name());
    } else {
      history.info(op, code.name() + (e.getStatus().getDescription() == null ? "" : ": " + e.getStatus().getDescription()));
    }
  }
}
