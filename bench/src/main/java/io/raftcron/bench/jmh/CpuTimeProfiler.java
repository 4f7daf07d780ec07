package io.raftcron.bench.jmh;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation ({@code -prof io.raftcron.bench.jmh.CpuTimeProfiler}): {@code cpu.worker}
 * is the benchmark threads' own (for the applier: decoding, checks, the batch and RocksDB's memtable
 * inserts, which run on the writing thread), {@code cpu.process} the whole JVM's (adding RocksDB's
 * flushes and compactions, GC and JIT). On a machine that other work shares, CPU time moves much
 * less than the wall time JMH reports, which includes the time the benchmark waits for a core.
 */
public final class CpuTimeProfiler implements InternalProfiler {
  private static final String WORKER = "-jmh-worker-";

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final OperatingSystemMXBean os =
      (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private Map<Long, Long> workersBefore = Map.of();
  private long processBefore;

  @Override
  public String getDescription() {
    return "CPU time per operation: the benchmark threads' and the whole JVM's";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmark, IterationParams iteration) {
    workersBefore = workerCpuNanos();
    processBefore = os.getProcessCpuTime();
  }

  @Override
  public Collection<? extends Result> afterIteration(
      BenchmarkParams benchmark, IterationParams iteration, IterationResult result) {
    long process = os.getProcessCpuTime() - processBefore;
    long workers = 0;
    for (Map.Entry<Long, Long> now : workerCpuNanos().entrySet()) {
      workers += now.getValue() - workersBefore.getOrDefault(now.getKey(), 0L);
    }
    double ops = Math.max(1, result.getMetadata().getMeasuredOps());
    return List.of(
        new ScalarResult("cpu.worker", workers / 1000.0 / ops, "us/op", AggregationPolicy.AVG),
        new ScalarResult("cpu.process", process / 1000.0 / ops, "us/op", AggregationPolicy.AVG));
  }

  /** CPU time so far of each live JMH worker thread, by thread id. */
  private Map<Long, Long> workerCpuNanos() {
    Map<Long, Long> cpu = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().contains(WORKER)) {
        cpu.put(info.getThreadId(), threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return cpu;
  }
}
