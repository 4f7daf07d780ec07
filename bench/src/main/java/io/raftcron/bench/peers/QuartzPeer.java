package io.raftcron.bench.peers;

import java.util.Properties;
import org.quartz.CronScheduleBuilder;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;

/**
 * Quartz 2.5 in clustered JDBC mode (JobStoreTX, PostgreSQLDelegate, row locks in QRTZ_LOCKS):
 * one job with a cron trigger "every second" per job. Tuned for this workload: trigger
 * acquisition in batches of up to 100 inside the lock (Quartz's advice for clusters with batch
 * acquisition), 20 worker threads per node, cluster check-in every second.
 */
final class QuartzPeer {
  private static volatile FireLog log;

  private QuartzPeer() {}

  /** Records the slot it was fired for (the trigger's scheduled time) and nothing else. */
  public static final class RecordingJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      log.fired(context.getJobDetail().getKey().getName(), context.getScheduledFireTime().toInstant());
    }
  }

  static AutoCloseable start(Database db, int jobs, String node, FireLog fireLog) throws SchedulerException {
    log = fireLog;
    Scheduler scheduler = new StdSchedulerFactory(properties(db, node)).getScheduler();
    // The first node registers the jobs; the second finds them in the shared tables.
    if (node.endsWith("1")) {
      for (int i = 0; i < jobs; i++) {
        String name = "job-" + i;
        if (scheduler.checkExists(JobKey.jobKey(name))) {
          continue;
        }
        JobDetail job = JobBuilder.newJob(RecordingJob.class).withIdentity(name).build();
        Trigger trigger = TriggerBuilder.newTrigger().withIdentity(name)
            .withSchedule(CronScheduleBuilder.cronSchedule("* * * * * ?"))
            .build();
        scheduler.scheduleJob(job, trigger);
      }
    }
    scheduler.start();
    return () -> scheduler.shutdown(false);
  }

  private static Properties properties(Database db, String node) {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "raftcron-bench");
    p.setProperty("org.quartz.scheduler.instanceId", node);
    p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", "100");
    p.setProperty("org.quartz.threadPool.threadCount", "20");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    p.setProperty("org.quartz.jobStore.driverDelegateClass", "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    p.setProperty("org.quartz.jobStore.dataSource", "bench");
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", "1000");
    p.setProperty("org.quartz.jobStore.acquireTriggersWithinLock", "true");
    p.setProperty("org.quartz.dataSource.bench.provider", "hikaricp");
    p.setProperty("org.quartz.dataSource.bench.driver", "org.postgresql.Driver");
    p.setProperty("org.quartz.dataSource.bench.URL", db.url());
    p.setProperty("org.quartz.dataSource.bench.user", db.user());
    p.setProperty("org.quartz.dataSource.bench.password", db.password());
    p.setProperty("org.quartz.dataSource.bench.maxConnections", "24");
    return p;
  }
}
