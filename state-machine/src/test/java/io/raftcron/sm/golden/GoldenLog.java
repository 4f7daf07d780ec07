package io.raftcron.sm.golden;

import static io.raftcron.sm.TestCommands.complete;
import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.decide;
import static io.raftcron.sm.TestCommands.delete;
import static io.raftcron.sm.TestCommands.expire;
import static io.raftcron.sm.TestCommands.fire;
import static io.raftcron.sm.TestCommands.grant;
import static io.raftcron.sm.TestCommands.registerNode;
import static io.raftcron.sm.TestCommands.skipDecision;
import static io.raftcron.sm.TestCommands.spec;
import static io.raftcron.sm.TestCommands.stamped;
import static io.raftcron.sm.TestCommands.update;

import io.raftcron.proto.BackfillJob;
import io.raftcron.proto.Command;
import io.raftcron.proto.Job;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.PauseJob;
import io.raftcron.proto.ResumeJob;
import io.raftcron.proto.Run;
import io.raftcron.proto.TriggerJob;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.SchedulerStateMachine;
import io.raftcron.sm.Times;
import io.raftcron.sm.store.BackupArchive;
import io.raftcron.sm.store.SchedulerStore;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The golden files of the current data format ({@code src/test/resources/golden/format-N/}): a committed log of every
 * kind of command, a backup (snapshot) taken in its middle, and the state both must lead to. {@link GoldenLogTest}
 * replays them with the current code. They are generated once per format and committed; regenerate them only when the
 * format or the applier's meaning changes on purpose (and bump {@link SchedulerStore#FORMAT_VERSION} when old data
 * would be misread, and keep the older formats' files: an upgrade test such as {@link Format1UpgradeGoldenTest} opens
 * them with today's code):
 *
 * <pre>
 *   mvn -B -q -pl state-machine -am test-compile dependency:build-classpath \
 *       -Dmdep.outputFile=target/test-classpath.txt -Dmdep.includeScope=test
 *   cd state-machine &amp;&amp; java -cp target/test-classes:target/classes:$(cat target/test-classpath.txt) \
 *       io.raftcron.sm.golden.GoldenLog src/test/resources/golden
 * </pre>
 */
public final class GoldenLog {
  static final String LOG = "log.bin";
  static final String SNAPSHOT = "snapshot.backup";
  static final String EXPECTED = "expected.txt";
  /** The snapshot is taken after this entry; the tail after it is replayed on top of it. */
  static final long SNAPSHOT_INDEX = 9;

  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private GoldenLog() {}

  /** Every kind of command, in an order the applier accepts; entry i of the list has log index i + 1. */
  static List<Command> commands() {
    Instant s1 = T0.plusSeconds(1);
    Instant s2 = T0.plusSeconds(2);
    String run1 = RunIds.of("tick", s1);
    String run2 = RunIds.of("tick", s2);
    List<Command> log = new ArrayList<>();
    log.add(create(T0, spec("tick", "* * * * * *")));                                   // 1
    log.add(create(T0, spec("hourly", "0 * * * *", MisfirePolicy.FIRE_ONCE)));           // 2
    log.add(registerNode(T0, "n1"));                                                     // 3
    log.add(fire(s2, "tick", s1, s2));                                                   // 4
    log.add(grant(s2, run1, "w1", s2.plusSeconds(30)));                                  // 5: token 5
    log.add(complete(s2.plusSeconds(1), run1, 5, true, 0, ""));                          // 6
    log.add(grant(s2.plusSeconds(1), run2, "w1", s2.plusSeconds(31)));                   // 7: token 7
    log.add(complete(s2.plusSeconds(2), run2, 7, false, 3, "boom"));                     // 8
    log.add(decide(T0.plusSeconds(5), skipDecision("tick", T0.plusSeconds(5), 3, "missed: golden"))); // 9
    log.add(stamped(T0.plusSeconds(6)).setPauseJob(PauseJob.newBuilder().setName("tick")).build());    // 10
    log.add(stamped(T0.plusSeconds(7))
        .setTriggerJob(TriggerJob.newBuilder().setName("tick").setRequestId("r1")).build());          // 11
    log.add(stamped(T0.plusSeconds(8)).setResumeJob(ResumeJob.newBuilder().setName("tick")
        .addDecisions(skipDecision("tick", T0.plusSeconds(8), 3, "paused: golden"))).build());       // 12
    log.add(fire(T0.plusSeconds(9), "tick", T0.plusSeconds(9)));                         // 13
    log.add(grant(T0.plusSeconds(9), RunIds.of("tick", T0.plusSeconds(9)), "w2", T0.plusSeconds(39))); // 14
    log.add(expire(T0.plusSeconds(40), RunIds.of("tick", T0.plusSeconds(9)), 14));       // 15
    log.add(stamped(T0.plusSeconds(41)).setBackfillJob(BackfillJob.newBuilder().setName("tick")
        .addSlots(Times.toTimestamp(T0.plusSeconds(3))).addSlots(Times.toTimestamp(T0.plusSeconds(9))))
        .build());                                                                       // 16
    log.add(update(T0.plusSeconds(42), spec("hourly", "30 * * * *", MisfirePolicy.SKIP), 2));          // 17
    log.add(create(T0.plusSeconds(43), spec("gone", "@every 10s")));                     // 18
    log.add(delete(T0.plusSeconds(44), "gone", 0));                                     // 19
    log.add(registerNode(T0.plusSeconds(45), "n2"));                                     // 20
    return log;
  }

  /** Applies {@code commands} (entry i at index i + 1), skipping those at or below the store's applied index. */
  static void replay(SchedulerStore store, List<Command> commands) {
    SchedulerStateMachine sm = new SchedulerStateMachine(store, (index, command, result) -> {});
    for (int i = 0; i < commands.size(); i++) {
      long index = i + 1;
      if (index > store.appliedIndex()) {
        sm.apply(index, commands.get(i).toByteArray());
      }
    }
  }

  /** What the state says, for people: the expected file's body and the test's readable diff. */
  static String summary(SchedulerStore store) {
    StringBuilder out = new StringBuilder();
    out.append("applied-index ").append(store.appliedIndex()).append('\n');
    out.append("format ").append(store.formatVersion()).append('\n');
    for (Job job : store.jobs()) {
      out.append("job ").append(job.getSpec().getName()).append(" schedule=").append(job.getSpec().getSchedule())
          .append(" version=").append(job.getVersion()).append(" fired=").append(job.getFiredCount())
          .append(" skipped=").append(job.getSkippedCount()).append(" paused=").append(job.getPaused())
          .append(" cursor=").append(Times.toInstant(job.getCursor())).append('\n');
      for (Run run : store.oldestRuns(job.getSpec().getName(), Integer.MAX_VALUE)) {
        out.append("  run ").append(run.getRunId()).append(' ').append(run.getState()).append(" attempt=")
            .append(run.getAttempt()).append(" token=").append(run.getFencingToken()).append('\n');
      }
    }
    store.nodes().forEach(n -> out.append("node ").append(n.getNodeId()).append('\n'));
    out.append("digest ").append(store.contentDigest()).append('\n');
    return out.toString();
  }

  static void writeLog(List<Command> commands, OutputStream out) throws IOException {
    DataOutputStream data = new DataOutputStream(out);
    for (int i = 0; i < commands.size(); i++) {
      byte[] bytes = commands.get(i).toByteArray();
      data.writeLong(i + 1);
      data.writeInt(bytes.length);
      data.write(bytes);
    }
    data.flush();
  }

  /** The committed entries' bytes, in index order (index i + 1 at position i). */
  static List<byte[]> readLog(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    List<byte[]> entries = new ArrayList<>();
    while (true) {
      long index;
      try {
        index = data.readLong();
      } catch (EOFException end) {
        return entries;
      }
      if (index != entries.size() + 1) {
        throw new IOException("golden log out of order at index " + index);
      }
      entries.add(data.readNBytes(data.readInt()));
    }
  }

  /** Writes the golden files of the current format under {@code args[0]}/format-N. */
  public static void main(String[] args) throws IOException {
    Path dir = Path.of(args[0]).resolve("format-" + SchedulerStore.FORMAT_VERSION);
    Files.createDirectories(dir);
    List<Command> commands = commands();
    Path work = Files.createTempDirectory("golden");
    try (SchedulerStore store = SchedulerStore.open(work.resolve("store"))) {
      replay(store, commands.subList(0, (int) SNAPSHOT_INDEX));
      Path backupWork = Files.createDirectories(work.resolve("backup"));
      try (OutputStream out = Files.newOutputStream(dir.resolve(SNAPSHOT))) {
        BackupArchive.write(store, backupWork, "golden", out);
      }
      replay(store, commands);
      Files.writeString(dir.resolve(EXPECTED), summary(store));
    }
    try (OutputStream out = Files.newOutputStream(dir.resolve(LOG))) {
      writeLog(commands, out);
    }
    System.out.println("golden files written to " + dir);
  }
}
