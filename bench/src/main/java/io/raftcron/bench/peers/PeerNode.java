package io.raftcron.bench.peers;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * One scheduler JVM of a peer (Quartz or db-scheduler) on PostgreSQL:
 * {@code PeerNode quartz|db-scheduler JDBC_URL USER PASSWORD JOBS NODE_ID LOG_FILE}. It runs the
 * jobs-every-second workload until it is sent SIGTERM, recording each execution in its log, and
 * prints "ready" once its scheduler runs.
 */
public final class PeerNode {
  private PeerNode() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println("usage: PeerNode quartz|db-scheduler JDBC_URL USER PASSWORD JOBS NODE_ID LOG_FILE");
      System.exit(2);
    }
    Database db = new Database(args[1], args[2], args[3]);
    int jobs = Integer.parseInt(args[4]);
    String node = args[5];
    FireLog log = new FireLog(Path.of(args[6]), node);
    AutoCloseable scheduler = switch (args[0]) {
      case "quartz" -> QuartzPeer.start(db, jobs, node, log);
      case "db-scheduler" -> DbSchedulerPeer.start(db, jobs, node, log);
      default -> throw new IllegalArgumentException("unknown scheduler " + args[0]);
    };
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.close(); // first: what a slow scheduler shutdown does no longer counts
      try {
        scheduler.close();
      } catch (Exception e) {
        e.printStackTrace();
      } finally {
        stopped.countDown();
      }
    }));
    System.out.println("ready");
    System.out.flush();
    stopped.await();
  }
}
