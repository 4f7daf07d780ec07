package io.raftcron.sm.store;

import static io.raftcron.sm.TestCommands.create;
import static io.raftcron.sm.TestCommands.spec;
import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Job;
import io.raftcron.proto.Run;
import io.raftcron.sm.AppliedStoreTest;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How a batch hands its effects to a commit. */
class StoreBatchTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  /** The keys a batch wrote, per family, in the order it wrote them ("-" before a delete). */
  private static Map<Family, List<String>> written(StoreBatch batch) throws Exception {
    Map<Family, List<String>> keys = new EnumMap<>(Family.class);
    batch.writeTo(
        new StoreBatch.EffectSink() {
          @Override
          public void put(Family family, byte[] key, byte[] value) {
            keys.computeIfAbsent(family, f -> new ArrayList<>()).add(Arrays.toString(key));
          }

          @Override
          public void delete(Family family, byte[] key) {
            keys.computeIfAbsent(family, f -> new ArrayList<>()).add("-" + Arrays.toString(key));
          }
        });
    return keys;
  }

  private static Run aRun(String job, Instant slot) {
    return Run.newBuilder().setRunId(RunIds.of(job, slot)).setJob(job).setSlot(Times.toTimestamp(slot)).build();
  }

  @Test
  void eachFamilysEffectsAreWrittenInUnsignedKeyOrderWhateverTheOrderTheyWereMadeIn() throws Exception {
    StoreBatch batch = store.batch();
    Instant before1970 = Instant.parse("1969-12-31T23:59:59Z"); // its big-endian time starts with 0xff
    batch.putRun(aRun("b", T0.plusSeconds(2)));
    batch.enqueue(aRun("b", T0.plusSeconds(2)));
    batch.putRun(aRun("a", before1970));
    batch.enqueue(aRun("a", before1970));
    batch.deleteRun(aRun("b", T0.plusSeconds(1)));
    batch.putRun(aRun("a", T0));
    batch.enqueue(aRun("a", T0));

    Map<Family, List<String>> written = written(batch);

    assertThat(written.get(Family.RUNS))
        .containsExactly(
            key(Keys.jobTime("a", T0)),
            key(Keys.jobTime("a", before1970)),
            "-" + key(Keys.jobTime("b", T0.plusSeconds(1))),
            key(Keys.jobTime("b", T0.plusSeconds(2))));
    assertThat(written.get(Family.QUEUE))
        .containsExactly(
            key(Keys.queue(T0, Keys.jobTime("a", T0))),
            "-" + key(Keys.queue(T0.plusSeconds(1), Keys.jobTime("b", T0.plusSeconds(1)))),
            key(Keys.queue(T0.plusSeconds(2), Keys.jobTime("b", T0.plusSeconds(2)))),
            key(Keys.queue(before1970, Keys.jobTime("a", before1970))));
  }

  @Test
  void aKeyWrittenTwiceIsWrittenOnceWithItsLastValue() throws Exception {
    StoreBatch batch = store.batch();
    batch.putRun(aRun("a", T0));
    batch.deleteRun(aRun("a", T0));

    assertThat(written(batch).get(Family.RUNS)).containsExactly("-" + key(Keys.jobTime("a", T0)));
  }

  @Test
  void aCursorMoveWritesOnlyTheCursorRecordAndEveryReadSeesTheWholeJob() throws Exception {
    apply(create(T0, spec("a", "* * * * * *")));
    StoreBatch batch = store.batch();

    Job moved = batch.putCursor(job("a"), Times.toTimestamp(T0.plusSeconds(5)), 3, 4);

    assertThat(moved).isEqualTo(job("a").toBuilder()
        .setCursor(Times.toTimestamp(T0.plusSeconds(5))).setFiredCount(3).setSkippedCount(4).build());
    assertThat(written(batch).keySet()).containsExactly(Family.CURSORS);
    assertThat(batch.job("a")).contains(moved);
    store.commit(batch, ++index);
    assertThat(store.job("a")).as("through the job cache").contains(moved);
    assertThat(store.jobs()).containsExactly(moved);
    store.close();
    store = SchedulerStore.open(dir.resolve("db"));
    assertThat(store.job("a")).as("read from its two records").contains(moved);
  }

  private static String key(byte[] key) {
    return Arrays.toString(key);
  }
}
