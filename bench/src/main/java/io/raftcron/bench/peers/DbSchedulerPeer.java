package io.raftcron.bench.peers;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerName;
import com.github.kagkarlsson.scheduler.task.helper.RecurringTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.github.kagkarlsson.scheduler.task.schedule.Schedules;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * db-scheduler: one recurring task per job, cron "every second". Tuned for this workload rather
 * than left at its defaults: it polls every 100 ms (default 10 s, which alone would make every
 * fire up to 10 s late) with lock-and-fetch, the strategy its documentation recommends for
 * PostgreSQL under high throughput, and 20 executor threads per node.
 */
final class DbSchedulerPeer {
  static final Duration POLLING_INTERVAL = Duration.ofMillis(100);
  static final int THREADS = 20;

  private DbSchedulerPeer() {}

  static AutoCloseable start(Database db, int jobs, String node, FireLog log) {
    HikariDataSource pool = db.pool(THREADS + 4);
    List<RecurringTask<Void>> tasks = new ArrayList<>();
    for (int i = 0; i < jobs; i++) {
      String job = "job-" + i;
      tasks.add(Tasks.recurring(job, Schedules.cron("* * * * * *"))
          .execute((instance, context) -> log.fired(job, context.getExecution().getExecutionTime())));
    }
    Scheduler scheduler = Scheduler.create(pool)
        .startTasks(tasks)
        .schedulerName(new SchedulerName.Fixed(node))
        .threads(THREADS)
        .pollingInterval(POLLING_INTERVAL)
        .pollUsingLockAndFetch(0.5, 1.0)
        .build();
    scheduler.start();
    return () -> {
      scheduler.stop();
      pool.close();
    };
  }
}
