package io.raftcron.bench;

import io.grpc.Status;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ShellExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Creates or reads jobs through the public gRPC API with a fixed number of concurrent callers:
 * each call is committed (create) or linearizable (get) before it returns, so the Raft log sees
 * up to {@code concurrency} proposals at once and jraft batches them into shared appends.
 */
final class JobLoader {
  static final String PREFIX = "bench-";

  /** What a load produced: the per-call latencies in microseconds and the wall time. */
  record Load(Histogram micros, Duration elapsed, long failures) {
    double perSecond() {
      return micros.getTotalCount() / Math.max(1e-9, elapsed.toNanos() / 1e9);
    }
  }

  private JobLoader() {}

  static String name(int i) {
    return PREFIX + i;
  }

  static JobSpec spec(int i, String schedule) {
    return JobSpec.newBuilder()
        .setName(name(i))
        .setSchedule(schedule)
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("true")))
        .build();
  }

  static Load create(List<String> endpoints, int from, int count, String schedule, int concurrency) {
    return run(endpoints, from, count, concurrency, (client, i) -> client.createJob(spec(i, schedule)));
  }

  /** Creates jobs 0 to {@code count} - 1 firing every second, 32 calls at a time; fails unless all were created. */
  static Load createEverySecond(List<String> endpoints, int count) {
    return all(create(endpoints, 0, count, FireHarness.EVERY_SECOND, 32), count, "creations");
  }

  /** Pauses jobs 0 to {@code count} - 1, 32 calls at a time; fails unless all were paused. */
  static Load pauseAll(List<String> endpoints, int count) {
    return all(run(endpoints, 0, count, 32, (client, i) -> client.pauseJob(name(i))), count, "pauses");
  }

  private static Load all(Load load, int count, String calls) {
    if (load.failures() > 0) {
      throw new IllegalStateException(load.failures() + " of " + count + " job " + calls + " failed");
    }
    return load;
  }

  static Load get(List<String> endpoints, int from, int count, int concurrency) {
    return run(endpoints, from, count, concurrency, (client, i) -> client.getJob(name(i)));
  }

  private interface Call {
    void call(RaftcronClient client, int i);
  }

  private static Load run(List<String> endpoints, int from, int count, int concurrency, Call call) {
    Histogram micros = new ConcurrentHistogram(60_000_000L, 3);
    AtomicInteger next = new AtomicInteger(from);
    AtomicInteger failures = new AtomicInteger();
    int end = from + count;
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, daemon("bench-caller-"));
    long start = System.nanoTime();
    try (RaftcronClient client = RaftcronClient.connect(endpoints, Duration.ofSeconds(30))) {
      Runnable caller = () -> {
        for (int i = next.getAndIncrement(); i < end; i = next.getAndIncrement()) {
          long t0 = System.nanoTime();
          try {
            call.call(client, i);
          } catch (RuntimeException e) {
            // A create retried after a leader change (outcome unknown) may find its own job: that one counts.
            boolean ownJob = e instanceof RaftcronException r && r.code() == Status.Code.ALREADY_EXISTS;
            if (!ownJob) {
              if (failures.incrementAndGet() <= 3) {
                System.err.println("call " + i + " failed: " + e.getMessage());
              }
              continue;
            }
          }
          micros.recordValue(Math.min(60_000_000L, (System.nanoTime() - t0) / 1000));
        }
      };
      List<Future<?>> callers = new java.util.ArrayList<>();
      for (int k = 0; k < concurrency; k++) {
        callers.add(pool.submit(caller));
      }
      for (Future<?> f : callers) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    return new Load(micros, Duration.ofNanos(System.nanoTime() - start), failures.get());
  }

  static java.util.concurrent.ThreadFactory daemon(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
