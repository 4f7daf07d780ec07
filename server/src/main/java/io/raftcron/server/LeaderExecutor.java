package io.raftcron.server;

import io.raftcron.server.leader.LeaderTask;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RunnableScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's one thread, which times every task it runs: a slot's fires, the answers to polls
 * and completions wait behind whatever task holds it, so each task's time goes to {@code
 * taskNanos} (a histogram), and a task that holds it for {@link #SLOW_NANOS} or more is named in
 * the log, at most once every {@link #WARN_EVERY_NANOS}. A retention sweep that held it for a
 * whole pass over the jobs was found only with a profiler.
 */
final class LeaderExecutor extends ScheduledThreadPoolExecutor {
  private static final Logger log = LoggerFactory.getLogger(LeaderExecutor.class);
  static final long SLOW_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  static final long WARN_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final LongConsumer taskNanos;
  // Only the executor's one thread reads and writes these.
  private long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;
  private int slowSinceWarning;

  LeaderExecutor(ThreadFactory threads, LongConsumer taskNanos) {
    super(1, threads);
    this.taskNanos = taskNanos;
  }

  @Override
  protected <V> RunnableScheduledFuture<V> decorateTask(Runnable runnable, RunnableScheduledFuture<V> task) {
    return new Timed<>(task, origin(runnable));
  }

  /** The class whose work {@code task} does: its own, or the one it says ({@link LeaderTask}). */
  static Class<?> origin(Runnable task) {
    return task instanceof LeaderTask onBehalf ? onBehalf.origin() : task.getClass();
  }

  @Override
  protected <V> RunnableScheduledFuture<V> decorateTask(Callable<V> callable, RunnableScheduledFuture<V> task) {
    return new Timed<>(task, callable.getClass());
  }

  /** The class a task was written in: a lambda's enclosing class, without the generated suffix. */
  static String taskName(Class<?> kind) {
    String name = kind.getName();
    int end = name.indexOf("$$Lambda");
    if (end < 0) {
      end = name.length();
    }
    return name.substring(name.lastIndexOf('.', end) + 1, end);
  }

  private void ran(Class<?> kind, long nanos) {
    taskNanos.accept(nanos);
    if (nanos < SLOW_NANOS) {
      return;
    }
    long now = System.nanoTime();
    if (now - lastWarning < WARN_EVERY_NANOS) {
      slowSinceWarning++;
      return;
    }
    log.warn(
        "a task of {} held the leader's thread for {} ms: fires, polls and completions due meanwhile waited{}",
        taskName(kind),
        TimeUnit.NANOSECONDS.toMillis(nanos),
        slowSinceWarning == 0 ? "" : " (" + slowSinceWarning + " more such task(s) since the last warning)");
    lastWarning = now;
    slowSinceWarning = 0;
  }

  /** The executor's own task, timed when it runs; ordered as the executor orders its tasks. */
  private final class Timed<V> implements RunnableScheduledFuture<V> {
    private final RunnableScheduledFuture<V> task;
    private final Class<?> kind;

    Timed(RunnableScheduledFuture<V> task, Class<?> kind) {
      this.task = task;
      this.kind = kind;
    }

    @Override
    public void run() {
      long start = System.nanoTime();
      try {
        task.run();
      } finally {
        ran(kind, System.nanoTime() - start);
      }
    }

    @Override
    public boolean isPeriodic() {
      return task.isPeriodic();
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return task.getDelay(unit);
    }

    // The executor's tasks break ties of equal delay by submission order: compare them, not delays.
    @Override
    public int compareTo(Delayed other) {
      return task.compareTo(other instanceof Timed<?> timed ? timed.task : other);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return task.cancel(mayInterruptIfRunning);
    }

    @Override
    public boolean isCancelled() {
      return task.isCancelled();
    }

    @Override
    public boolean isDone() {
      return task.isDone();
    }

    @Override
    public V get() throws InterruptedException, ExecutionException {
      return task.get();
    }

    @Override
    public V get(long timeout, TimeUnit unit) throws InterruptedException, ExecutionException, TimeoutException {
      return task.get(timeout, unit);
    }
  }
}
