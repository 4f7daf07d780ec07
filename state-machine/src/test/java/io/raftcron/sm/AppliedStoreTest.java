package io.raftcron.sm;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.Run;
import io.raftcron.sm.applier.Applier;
import io.raftcron.sm.store.SchedulerStore;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A real store in a temporary folder and the applier over it, fed consecutive log indexes. */
public abstract class AppliedStoreTest {
  @TempDir protected Path dir;
  protected SchedulerStore store;
  protected Applier applier;
  protected long index;

  @BeforeEach
  void openStore() {
    store = SchedulerStore.open(dir.resolve("db"));
    applier = new Applier(store);
  }

  @AfterEach
  void closeStore() {
    store.close();
  }

  protected CommandResult apply(Command command) {
    return applier.apply(++index, command);
  }

  protected Job job(String name) {
    return store.job(name).orElseThrow();
  }

  protected Run run(String job, Instant slot) {
    return store.run(job, slot).orElseThrow();
  }
}
