package io.raftcron.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** What the benchmark JVM and its machine are doing: load, CPU time, heap. */
final class Machine {
  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private Machine() {}

  /** The 1-minute load average: the machine is shared, so every figure is reported beside it. */
  static double loadAverage() {
    return Math.round(OS.getSystemLoadAverage() * 100) / 100.0;
  }

  static int cores() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** CPU time of this whole JVM (every in-process node, the workers and the harness). */
  static double cpuSeconds() {
    return OS.getProcessCpuTime() / 1e9;
  }

  /** Heap in use after a full collection, in MiB. */
  static double heapAfterGcMiB() {
    for (int i = 0; i < 2; i++) {
      MEMORY.gc();
    }
    return Math.round(MEMORY.getHeapMemoryUsage().getUsed() / 1024.0 / 1024.0 * 10) / 10.0;
  }
}
