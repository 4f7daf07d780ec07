package io.raftcron.sm.store;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import com.google.protobuf.Parser;
import io.raftcron.proto.Alert;
import io.raftcron.proto.Job;
import io.raftcron.proto.NodeInfo;
import io.raftcron.proto.Run;
import io.raftcron.proto.SkippedSlots;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Times;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.apache.commons.io.FileUtils;
import org.rocksdb.Checkpoint;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.FlushOptions;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The replicated state in RocksDB. The applier is the only writer: each command's effects and
 * the applied index go into one {@link WriteBatch}, so after a crash the store is exactly the
 * state after some applied index and replay resumes right after it (no entry applied twice or
 * lost). The WAL is on and not synced: a killed process loses nothing; after a machine crash the
 * store may be behind, consistently, and Raft replays the missing entries or installs a snapshot.
 *
 * <p>Reads may come from any thread. A snapshot install swaps the database under a write lock.
 */
public final class SchedulerStore implements AutoCloseable {
  /**
   * The data format of the store: the column families, key layouts and record types. Bump it (and add the upgrade
   * step to {@link #checkFormat}) whenever a change makes an older build misread the store, then regenerate the golden
   * files (see GoldenLogTest). Older builds refuse a newer store; snapshots carry it too.
   */
  public static final long FORMAT_VERSION = 2;

  static {
    RocksDB.loadLibrary();
  }

  private static final String INCOMING = ".incoming";
  private static final String PREVIOUS = ".previous";

  private final Path dir;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final WriteOptions writeOptions = new WriteOptions();
  private StoreOptions options;
  private RocksDB db;
  private final Map<Family, ColumnFamilyHandle> handles = new EnumMap<>(Family.class);
  /** Jobs in the store: counted when it opens, then kept by {@link #commit} (a create must not scan them all). */
  private volatile long jobCount;
  private final JobCache jobCache = new JobCache(JOB_CACHE_CAPACITY);
  /** Parsed jobs kept per node: a few hundred bytes each, so some tens of MiB of heap at most. */
  private static final int JOB_CACHE_CAPACITY = 100_000;

  private SchedulerStore(Path dir) {
    this.dir = dir;
  }

  public static SchedulerStore open(Path dir) {
    SchedulerStore store = new SchedulerStore(dir);
    try {
      store.recoverInterruptedInstall();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish the snapshot install interrupted in " + dir, e);
    }
    store.openDb();
    return store;
  }

  private void openDb() {
    try {
      Files.createDirectories(dir);
      options = new StoreOptions();
      List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
      descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, options.defaultFamily()));
      for (Family f : Family.values()) {
        descriptors.add(new ColumnFamilyDescriptor(f.cfName, options.family(f)));
      }
      List<ColumnFamilyHandle> opened = new ArrayList<>();
      db = RocksDB.open(options.db(), dir.toString(), descriptors, opened);
      for (Family f : Family.values()) {
        handles.put(f, opened.get(f.ordinal() + 1));
      }
      try {
        checkFormat();
        jobCount = countKeys(Family.JOBS);
      } catch (RocksDBException | RuntimeException refused) { // e.g. a newer format: close it, it holds the folder's lock
        closeDb();
        throw refused;
      }
    } catch (RocksDBException e) {
      if (db == null) {
        options.close(); // nothing opened with them
      }
      throw new StoreException("cannot open the state store in " + dir, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Refuses a store written in a newer format than this build knows, upgrades an older one in place (see
   * {@link FormatUpgrade}) and then records {@link #FORMAT_VERSION}. A store without a version is new or was written
   * before the version was kept (format 1): the upgrade of an empty store finds nothing to do.
   */
  private void checkFormat() throws RocksDBException {
    byte[] stored = db.get(handles.get(Family.META), Keys.FORMAT_VERSION);
    long version = stored == null ? 1 : Keys.longOf(stored);
    if (version > FORMAT_VERSION) {
      closeDb();
      throw new StoreException("the state store in " + dir + " has data format " + version
          + ", newer than the format " + FORMAT_VERSION + " this raftcron knows: run a raftcron release that"
          + " knows it (a rolling downgrade past a format change is not possible)", null);
    }
    if (version < 2) {
      FormatUpgrade.toFormat2(this, FormatUpgrade.PAGE_JOBS);
    }
    if (version < FORMAT_VERSION || stored == null) {
      db.put(handles.get(Family.META), Keys.FORMAT_VERSION, Keys.longBytes(FORMAT_VERSION));
    }
  }

  /** The data format this store is in (see {@link #FORMAT_VERSION}). */
  public long formatVersion() {
    byte[] v = get(Family.META, Keys.FORMAT_VERSION);
    return v == null ? FORMAT_VERSION : Keys.longOf(v);
  }

  /** The index of the last log entry whose effects are in this store; 0 for an empty store. */
  public long appliedIndex() {
    byte[] v = get(Family.META, Keys.APPLIED_INDEX);
    return v == null ? 0 : Keys.longOf(v);
  }

  public Optional<Job> job(String name) {
    Job cached = jobCache.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    long readAt = jobCache.generation();
    Job job = readJob(name);
    if (job != null) {
      jobCache.offer(name, job, readAt);
    }
    return Optional.ofNullable(job);
  }

  /** The job's two records (see {@link JobRecords}), read at one point in time: a commit may land between two reads. */
  private Job readJob(String name) {
    byte[] key = Keys.job(name);
    return withReadLock(
        () -> {
          Snapshot snapshot = db.getSnapshot();
          try (ReadOptions atSnapshot = new ReadOptions().setSnapshot(snapshot)) {
            byte[] withoutCursor = db.get(handles.get(Family.JOBS), atSnapshot, key);
            return withoutCursor == null
                ? null
                : JobRecords.join(key, withoutCursor, db.get(handles.get(Family.CURSORS), atSnapshot, key));
          } catch (RocksDBException e) {
            throw new StoreException("cannot read the state store", e);
          } finally {
            db.releaseSnapshot(snapshot);
          }
        });
  }

  public List<Job> jobs() {
    return jobs("", Integer.MAX_VALUE);
  }

  /**
   * Up to {@code limit} job names after {@code after} ("" for the first), in key order: pages
   * through the jobs without parsing them.
   */
  public List<String> jobNames(String after, int limit) {
    List<String> names = new ArrayList<>();
    jobRecordsAfter(after, limit, (key, value) -> names.add(Keys.jobOf(key)));
    return names;
  }

  /**
   * Up to {@code limit} jobs named after {@code after} ("" for the first), in key order: a page of
   * {@link #jobs}, so that a million jobs are read without holding them all at once.
   */
  public List<Job> jobs(String after, int limit) {
    List<Job> jobs = new ArrayList<>();
    forEachJobAfter(after, limit, (key, job) -> jobs.add(job));
    return jobs;
  }

  /**
   * Up to {@code limit} jobs named after {@code after}, in key order, each joined from its two records by walking the
   * jobs and cursors families side by side (a merge join: no point read per job), both at one point in time.
   */
  private void forEachJobAfter(String after, int limit, java.util.function.BiConsumer<byte[], Job> consumer) {
    byte[] from = Keys.job(after);
    withReadLock(
        () -> {
          List<RocksIterator> iterators = List.of();
          try {
            iterators = db.newIterators(List.of(handles.get(Family.JOBS), handles.get(Family.CURSORS)));
            RocksIterator jobs = iterators.get(0);
            RocksIterator cursors = iterators.get(1);
            jobs.seek(from);
            cursors.seek(from);
            for (int seen = 0; jobs.isValid() && seen < limit; jobs.next()) {
              byte[] key = jobs.key();
              if (Arrays.equals(key, from)) {
                continue;
              }
              while (cursors.isValid() && Arrays.compareUnsigned(cursors.key(), key) < 0) {
                cursors.next();
              }
              byte[] cursor = cursors.isValid() && Arrays.equals(cursors.key(), key) ? cursors.value() : null;
              consumer.accept(key, JobRecords.join(key, jobs.value(), cursor));
              seen++;
            }
          } catch (RocksDBException e) {
            throw new StoreException("cannot read the state store", e);
          } finally {
            iterators.forEach(RocksIterator::close);
          }
          return null;
        });
  }

  /** Up to {@code limit} records of the jobs family after the job {@code after}, key and value, in key order. */
  void jobRecordsAfter(String after, int limit, EntryConsumer consumer) {
    byte[] from = Keys.job(after);
    withReadLock(
        () -> {
          int seen = 0;
          try (RocksIterator it = db.newIterator(handles.get(Family.JOBS))) {
            for (it.seek(from); it.isValid() && seen < limit; it.next()) {
              if (!Arrays.equals(it.key(), from)) {
                consumer.accept(it.key(), it.value());
                seen++;
              }
            }
          }
          return null;
        });
  }

  public Optional<Run> run(String job, Instant slot) {
    return Optional.ofNullable(parse(get(Family.RUNS, Keys.jobTime(job, slot)), Run.parser()));
  }

  /**
   * The run stored under the job and slot {@code runId} names (see {@link RunIds#parse}); empty if
   * the text is not a run id. A run is keyed by job and slot alone, so the stored run's id may
   * differ from {@code runId} in a manual run's suffix: callers that care compare the ids.
   */
  public Optional<Run> run(String runId) {
    RunIds.RunRef ref = RunIds.parse(runId);
    return ref == null ? Optional.empty() : run(ref.job(), ref.slot());
  }

  /** A job's runs, newest slot first. */
  public List<Run> runs(String job, int limit) {
    return runs(job, limit, run -> true);
  }

  /** A job's skipped ranges, newest first. */
  public List<SkippedSlots> skipped(String job, int limit) {
    List<SkippedSlots> out = new ArrayList<>();
    scanBackwardsWhile(
        Family.SKIPPED,
        Keys.jobPrefix(job),
        limited(limit, it -> out.add(parse(it.value(), SkippedSlots.parser()))));
    return out;
  }

  /** Runs waiting for a worker, oldest due first. */
  public List<Run> queuedRuns(int limit) {
    return queuedRuns(limit, run -> true);
  }

  /**
   * A job's runs that pass {@code filter}, newest slot first, at most {@code limit} of them. Scans
   * the job's runs until enough pass.
   */
  public List<Run> runs(String job, int limit, java.util.function.Predicate<Run> filter) {
    return runs(job, limit, Integer.MAX_VALUE, filter);
  }

  /**
   * Like {@link #runs(String, int, java.util.function.Predicate)}, but reads at most the newest
   * {@code scanLimit} runs, so a job with many runs that do not pass costs a bounded scan.
   */
  public List<Run> runs(String job, int limit, int scanLimit, java.util.function.Predicate<Run> filter) {
    List<Run> runs = new ArrayList<>();
    int[] scanned = {0};
    scanBackwardsWhile(
        Family.RUNS,
        Keys.jobPrefix(job),
        it -> {
          if (runs.size() >= limit || scanned[0]++ >= scanLimit) {
            return false;
          }
          Run run = parse(it.value(), Run.parser());
          if (filter.test(run)) {
            runs.add(run);
          }
          return true;
        });
    return runs;
  }

  /**
   * The runs of every job that pass {@code filter}, newest slot first (ties by run id), at most
   * {@code limit}. Reads every run once, keeping only the newest {@code limit} in memory.
   */
  public List<Run> runsOfAllJobs(int limit, java.util.function.Predicate<Run> filter) {
    java.util.Comparator<Run> newestFirst =
        java.util.Comparator.<Run>comparingLong(r -> r.getSlot().getSeconds())
            .thenComparingInt(r -> r.getSlot().getNanos())
            .thenComparing(Run::getRunId)
            .reversed();
    java.util.PriorityQueue<Run> newest = new java.util.PriorityQueue<>(newestFirst.reversed());
    scan(
        Family.RUNS,
        new byte[0],
        Integer.MAX_VALUE,
        (k, v) -> {
          Run run = parse(v, Run.parser());
          if (limit > 0 && filter.test(run)) {
            newest.add(run);
            if (newest.size() > limit) {
              newest.poll(); // the oldest of those kept
            }
          }
        });
    List<Run> runs = new ArrayList<>(newest);
    runs.sort(newestFirst);
    return runs;
  }

  /** Queued runs that pass {@code filter}, oldest due first: scans the queue until enough pass. */
  public List<Run> queuedRuns(int limit, java.util.function.Predicate<Run> filter) {
    return queuedRuns(new byte[0], limit, ref -> true, filter);
  }

  /**
   * As {@link #queuedRuns(int, java.util.function.Predicate)}, from the queue's place {@code from}
   * on: a queued run (it is queued under its slot), or with an empty job name the first run due at
   * its slot (job names are never empty). A caller that knows no run before that place is queued
   * starts there: the queue's head is a long row of deleted entries while workers take runs, and a
   * seek from the start steps over every one of them. {@code read} is shown each queued run met, in
   * queue order, before it is read, and says whether to read it: a run the caller holds already (the
   * dispatcher's grants in flight) is passed over at the cost of its key.
   */
  public List<Run> queuedRuns(
      RunIds.RunRef from,
      int limit,
      java.util.function.Predicate<RunIds.RunRef> read,
      java.util.function.Predicate<Run> filter) {
    return queuedRuns(Keys.queue(from.slot(), Keys.jobTime(from.job(), from.slot())), limit, read, filter);
  }

  private List<Run> queuedRuns(
      byte[] seekTo,
      int limit,
      java.util.function.Predicate<RunIds.RunRef> read,
      java.util.function.Predicate<Run> filter) {
    List<Run> runs = new ArrayList<>();
    scanWhile(
        Family.QUEUE,
        seekTo,
        new byte[0],
        it -> {
          if (runs.size() >= limit) {
            return false;
          }
          byte[] runKey = Keys.runKeyOfQueueKey(it.key());
          if (!read.test(new RunIds.RunRef(Keys.jobOf(runKey), Keys.timeOf(runKey)))) {
            return true;
          }
          Run run = parse(get(Family.RUNS, runKey), Run.parser());
          if (run != null && filter.test(run)) {
            runs.add(run);
          }
          return true;
        });
    return runs;
  }

  /** Runs waiting to retry, soonest next attempt first. */
  public List<Run> retryingRuns(int limit) {
    List<Run> runs = new ArrayList<>();
    scan(
        Family.RETRIES,
        new byte[0],
        limit,
        (k, v) -> runs.add(parse(get(Family.RUNS, Keys.runKeyOfQueueKey(k)), Run.parser())));
    return runs;
  }

  // ---- schedule policies: explain, retention, active runs ----

  /** The recorded skipped range of {@code job} that holds {@code slot}, if any. */
  public Optional<SkippedSlots> skippedCovering(String job, Instant slot) {
    // Ranges are keyed by their last slot: the first range ending at or after the slot holds it
    // if it starts before it.
    List<SkippedSlots> found = new ArrayList<>();
    withReadLock(
        () -> {
          try (RocksIterator it = db.newIterator(handles.get(Family.SKIPPED))) {
            it.seek(Keys.jobTime(job, slot));
            if (it.isValid() && Keys.startsWith(it.key(), Keys.jobPrefix(job))) {
              found.add(parse(it.value(), SkippedSlots.parser()));
            }
          }
          return null;
        });
    return found.stream()
        .filter(r -> Times.toInstant(r.getAfter()).isBefore(slot))
        .findFirst();
  }

  /** A job's runs, oldest slot first. */
  public List<Run> oldestRuns(String job, int limit) {
    List<Run> runs = new ArrayList<>();
    scan(Family.RUNS, Keys.jobPrefix(job), limit, (k, v) -> runs.add(parse(v, Run.parser())));
    return runs;
  }

  /** A job's skipped ranges, oldest first. */
  public List<SkippedSlots> oldestSkipped(String job, int limit) {
    List<SkippedSlots> out = new ArrayList<>();
    scan(Family.SKIPPED, Keys.jobPrefix(job), limit, (k, v) -> out.add(parse(v, SkippedSlots.parser())));
    return out;
  }

  /**
   * The first {@code limit} job names after {@code after} (from the first if it is empty), in order, that have runs or
   * skipped ranges, deleted jobs included: one seek per name.
   */
  public List<String> jobsWithHistoryAfter(String after, int limit) {
    java.util.SortedSet<String> names = new java.util.TreeSet<>();
    byte[] from = after.isEmpty() ? new byte[0] : Keys.pastJob(after);
    for (Family family : List.of(Family.RUNS, Family.SKIPPED)) {
      withReadLock(
          () -> {
            try (RocksIterator it = db.newIterator(handles.get(family))) {
              int found = 0;
              for (it.seek(from); it.isValid() && found < limit; found++) {
                String job = Keys.jobOf(it.key());
                names.add(job);
                it.seek(Keys.pastJob(job));
              }
            }
            return null;
          });
    }
    return names.stream().limit(limit).toList();
  }

  /** The slot of the job's oldest run, if it has runs. */
  public Optional<Instant> oldestRunSlot(String job) {
    return oldestTime(Family.RUNS, job);
  }

  /** The last slot of the job's oldest skipped range, if it has any. */
  public Optional<Instant> oldestSkippedThrough(String job) {
    return oldestTime(Family.SKIPPED, job);
  }

  private Optional<Instant> oldestTime(Family family, String job) {
    List<byte[]> first = keys(family, Keys.jobPrefix(job), 1);
    return first.stream().findFirst().map(Keys::timeOf);
  }

  /** The slot of the job's {@code n}-th newest run (1 = newest), if it has that many. */
  public Optional<Instant> nthNewestRunSlot(String job, int n) {
    return nthNewestTime(Family.RUNS, job, n);
  }

  /** The last slot of the job's {@code n}-th newest skipped range, if it has that many. */
  public Optional<Instant> nthNewestSkippedThrough(String job, int n) {
    return nthNewestTime(Family.SKIPPED, job, n);
  }

  /** How many jobs the store holds. */
  public long jobCount() {
    return jobCount;
  }

  /** The family's entries, counted with a key-only scan. */
  private long countKeys(Family family) {
    long[] n = {0};
    scanWhile(family, new byte[0], it -> ++n[0] > 0);
    return n[0];
  }

  /** Keys under {@code prefix}, in order, at most {@code limit} (their values are not read). */
  List<byte[]> keys(Family family, byte[] prefix, int limit) {
    List<byte[]> keys = new ArrayList<>();
    scanWhile(family, prefix, limited(limit, it -> keys.add(it.key())));
    return keys;
  }

  /** The time in the key of the job's {@code n}-th newest entry (1 = newest), if it has that many. */
  Optional<Instant> nthNewestTime(Family family, String job, int n) {
    if (n <= 0) {
      return Optional.empty();
    }
    int[] seen = {0};
    List<Instant> found = new ArrayList<>();
    scanBackwardsWhile(
        family,
        Keys.jobPrefix(job),
        it -> {
          if (++seen[0] < n) {
            return true;
          }
          found.add(Keys.timeOf(it.key()));
          return false;
        });
    return found.stream().findFirst();
  }

  /**
   * The run keys of the job's active runs, from the indexes that hold them: leased (a prefix scan), queued and waiting
   * to retry (key-only scans of the whole families: they are keyed by time first). Exact, and in an order every
   * replica shares.
   */
  List<byte[]> activeRunKeys(String job) {
    byte[] prefix = Keys.jobPrefix(job);
    List<byte[]> runKeys = keys(Family.LEASES, prefix, Integer.MAX_VALUE);
    for (Family byTime : List.of(Family.QUEUE, Family.RETRIES)) {
      scanWhile(byTime, new byte[0], it -> {
        byte[] runKey = Keys.runKeyOfQueueKey(it.key());
        if (Keys.startsWith(runKey, prefix)) {
          runKeys.add(runKey);
        }
        return true;
      });
    }
    return runKeys;
  }

  /** How many runs wait for a worker (the queue holds active runs only). */
  public int queuedCount() {
    return queuedCount(Integer.MAX_VALUE);
  }

  /** As {@link #queuedCount()}, counting no further than {@code atMost}. */
  public int queuedCount(int atMost) {
    return count(Family.QUEUE, atMost);
  }

  /** How many runs are leased to a worker now. */
  public int leasedCount() {
    return count(Family.LEASES, Integer.MAX_VALUE);
  }

  /**
   * The entries of {@code family}, up to {@code atMost}: a scrape counts the queue, and copying each
   * key out of RocksDB had made it twice as slow (182 → 85 ms at 620 000 queued runs); a scan of a
   * whole family copies none.
   */
  private int count(Family family, int atMost) {
    int[] n = {0};
    scanWhile(family, new byte[0], limited(atMost, it -> n[0]++));
    return n[0];
  }

  /** Runs currently leased to a worker. */
  public List<Run> leasedRuns() {
    List<Run> runs = new ArrayList<>();
    scan(
        Family.LEASES,
        new byte[0],
        Integer.MAX_VALUE,
        (k, v) -> runs.add(parse(get(Family.RUNS, k), Run.parser())));
    return runs;
  }

  public Optional<Alert> alert(String id) {
    return Optional.ofNullable(parse(get(Family.ALERTS, Keys.utf8(id)), Alert.parser()));
  }

  /** Every recorded alert, firing and resolved (at most one per kind and job). */
  public List<Alert> alerts() {
    List<Alert> alerts = new ArrayList<>();
    scan(Family.ALERTS, new byte[0], Integer.MAX_VALUE, (k, v) -> alerts.add(parse(v, Alert.parser())));
    return alerts;
  }

  public List<NodeInfo> nodes() {
    List<NodeInfo> nodes = new ArrayList<>();
    scan(
        Family.META,
        Keys.utf8(Keys.NODE_PREFIX),
        Integer.MAX_VALUE,
        (k, v) -> nodes.add(parse(v, NodeInfo.parser())));
    return nodes;
  }

  /** A write overlay for one command; nothing is visible until {@link #commit}. */
  public StoreBatch batch() {
    return new StoreBatch(this);
  }

  /** Writes the batch's effects and {@code index} as the applied index, atomically. */
  public void commit(StoreBatch batch, long index) {
    withReadLock(
        () -> {
          try (WriteBatch wb = new WriteBatch()) {
            batch.writeTo(new WriteBatchSink(wb, handles));
            wb.put(handles.get(Family.META), Keys.APPLIED_INDEX, Keys.longBytes(index));
            db.write(writeOptions, wb);
            jobCount += batch.jobsAdded();
            if (!batch.jobsWritten().isEmpty()) {
              jobCache.committed(batch.jobsWritten(), batch::wroteWhole);
            }
          } catch (RocksDBException e) {
            throw new StoreException("cannot write applied index " + index, e);
          }
          return null;
        });
  }

  /**
   * Writes a consistent copy of the store into {@code target} (which must not exist) as a
   * RocksDB checkpoint: hard links to the immutable SST files where the file system allows it.
   * Returns the files written, relative to {@code target}.
   */
  public List<String> checkpoint(Path target) {
    return withReadLock(
        () -> {
          try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(target.toString());
          } catch (RocksDBException e) {
            throw new StoreException("cannot checkpoint the state store into " + target, e);
          }
          return checkpointFiles(target);
        });
  }

  /** The files of a checkpoint folder, relative to it, sorted. */
  public List<String> checkpointFiles(Path checkpoint) {
    try (Stream<Path> files = Files.list(checkpoint)) {
      return files.filter(Files::isRegularFile)
          .map(p -> checkpoint.relativize(p).toString())
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A checkpoint (as {@link #checkpoint}) taken while no command commits, with the applied index it holds: the
   * consistent copy a backup needs while the applier keeps running.
   */
  public long checkpointAtAppliedIndex(Path target) {
    // Flushed first, while commits go on: the checkpoint, which holds them off, then has only what came
    // since to flush (the memtables, up to 64 MiB, stalled the apply thread for as long as they took).
    withReadLock(
        () -> {
          try (FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            db.flush(flush, new ArrayList<>(handles.values()));
          } catch (RocksDBException e) {
            throw new StoreException("cannot flush the state store before a checkpoint", e);
          }
          return null;
        });
    lock.writeLock().lock();
    try {
      long index = appliedIndex();
      checkpoint(target);
      return index;
    } finally {
      lock.writeLock().unlock();
    }
  }

  /**
   * Drops the node registry. Only for a store restored from a backup before its node first starts: the registry
   * names the old cluster's nodes, and the new cluster's nodes register themselves. Every node of the new cluster
   * does the same to the same backup, so their stores stay identical.
   */
  public void forgetNodes() {
    withReadLock(
        () -> {
          try (WriteBatch wb = new WriteBatch()) {
            for (NodeInfo node : nodes()) {
              wb.delete(handles.get(Family.META), Keys.node(node.getNodeId()));
            }
            db.write(writeOptions, wb);
          } catch (RocksDBException e) {
            throw new StoreException("cannot clear the node registry", e);
          }
          return null;
        });
  }

  /**
   * SHA-256 (hex) of every key and value of every column family but ACTIVE, in order: two stores with the same digest
   * hold the same state, whatever their files look like.
   */
  public String contentDigest() {
    java.security.MessageDigest sha;
    try {
      sha = java.security.MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    // Per entry, so that an empty column family (one a newer build added) does not change the digest. Jobs as whole
    // Job records (their two records joined), and without the format version, so that the digest does not depend on
    // the data format either.
    for (Family family : Family.values()) {
      switch (family) {
        case JOBS -> forEachJobAfter("", Integer.MAX_VALUE, (k, job) -> digest(sha, family, k, job.toByteArray()));
        case CURSORS -> {} // within each job
        // An index whose entries depend on the build that wrote them (which runs it marks, when it drops those of
        // finished runs) and decide nothing the runs do not show: a different decision differs in RUNS.
        case ACTIVE -> {}
        default -> scan(family, new byte[0], Integer.MAX_VALUE, (k, v) -> {
          if (family != Family.META || !Arrays.equals(k, Keys.FORMAT_VERSION)) {
            digest(sha, family, k, v);
          }
        });
      }
    }
    return java.util.HexFormat.of().formatHex(sha.digest());
  }

  private static void digest(java.security.MessageDigest sha, Family family, byte[] key, byte[] value) {
    sha.update(family.cfName);
    sha.update(java.nio.ByteBuffer.allocate(8).putInt(key.length).putInt(value.length).array());
    sha.update(key);
    sha.update(value);
  }

  /**
   * Replaces the whole store with the checkpoint in {@code source} (copied, never moved). The copy is
   * made and synced beside the live store and swapped in by renames; if it cannot be made (a full
   * disk) or opened (a newer data format), the old store is back in place, open, and this throws:
   * the node stops with a store it can start on again.
   */
  public void replaceWith(Path source) {
    lock.writeLock().lock();
    try {
      // List the checkpoint before touching the store: a missing one must not cost the store.
      List<Path> checkpointFiles;
      try (Stream<Path> files = Files.list(source)) {
        checkpointFiles = files.filter(Files::isRegularFile).toList();
      }
      Path incoming = beside(INCOMING);
      Path previous = beside(PREVIOUS);
      FileUtils.deleteDirectory(incoming.toFile());
      Files.createDirectories(incoming);
      for (Path f : checkpointFiles) {
        Path copy = incoming.resolve(f.getFileName());
        Files.copy(f, copy, StandardCopyOption.COPY_ATTRIBUTES);
        sync(copy);
      }
      sync(incoming);
      closeDb();
      jobCache.clear();
      FileUtils.deleteDirectory(previous.toFile());
      Files.move(dir, previous, StandardCopyOption.ATOMIC_MOVE);
      Files.move(incoming, dir, StandardCopyOption.ATOMIC_MOVE);
      sync(dir.toAbsolutePath().getParent());
      try {
        openDb();
      } catch (RuntimeException unusable) {
        // Back by renames only, so that a node killed meanwhile still has its old store whole (see open).
        Files.move(dir, incoming, StandardCopyOption.ATOMIC_MOVE);
        Files.move(previous, dir, StandardCopyOption.ATOMIC_MOVE);
        sync(dir.toAbsolutePath().getParent());
        FileUtils.deleteDirectory(incoming.toFile());
        openDb();
        throw unusable;
      }
      FileUtils.deleteDirectory(previous.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot install snapshot from " + source, e);
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** A folder next to the store's: {@code state.incoming}, {@code state.previous}. */
  private Path beside(String suffix) {
    return dir.resolveSibling(dir.getFileName() + suffix);
  }

  /**
   * Finishes what a node killed in {@link #replaceWith} left: before the swap, a partial copy (dropped);
   * between its renames, only the previous store (put back); after them, the previous one (dropped).
   */
  private void recoverInterruptedInstall() throws IOException {
    Path previous = beside(PREVIOUS);
    if (!Files.exists(dir) && Files.isDirectory(previous)) {
      Files.move(previous, dir, StandardCopyOption.ATOMIC_MOVE);
    }
    FileUtils.deleteDirectory(previous.toFile());
    FileUtils.deleteDirectory(beside(INCOMING).toFile());
  }

  /** Forces a file's or a folder's content (a folder's: its entries) to the disk. */
  private static void sync(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closeDb();
      writeOptions.close();
    } finally {
      lock.writeLock().unlock();
    }
  }

  byte[] get(Family family, byte[] key) {
    return withReadLock(
        () -> {
          try {
            return db.get(handles.get(family), key);
          } catch (RocksDBException e) {
            throw new StoreException("cannot read the state store", e);
          }
        });
  }

  private void closeDb() {
    if (db == null) {
      return;
    }
    handles.values().forEach(ColumnFamilyHandle::close);
    handles.clear();
    db.close();
    db = null;
    options.close();
  }

  /** A batch's effects into a RocksDB write batch. */
  private record WriteBatchSink(WriteBatch wb, Map<Family, ColumnFamilyHandle> handles)
      implements StoreBatch.EffectSink {
    @Override
    public void put(Family family, byte[] key, byte[] value) throws RocksDBException {
      wb.put(handles.get(family), key, value);
    }

    @Override
    public void delete(Family family, byte[] key) throws RocksDBException {
      wb.delete(handles.get(family), key);
    }
  }

  interface EntryConsumer {
    void accept(byte[] key, byte[] value);
  }

  /**
   * What a scan does at each entry: reads what it needs through the iterator (a value is copied
   * out of RocksDB only when asked for, so key-only scans stay cheap) and says whether to go on.
   */
  private interface Visitor {
    boolean visit(RocksIterator entry);
  }

  /** The first {@code limit} entries under {@code prefix}, key and value, in order. */
  private void scan(Family family, byte[] prefix, int limit, EntryConsumer consumer) {
    scanWhile(family, prefix, limited(limit, it -> consumer.accept(it.key(), it.value())));
  }

  /** A visitor that does {@code action} at the first {@code limit} entries, then stops. */
  private static Visitor limited(int limit, java.util.function.Consumer<RocksIterator> action) {
    int[] seen = {0};
    return it -> {
      if (seen[0] >= limit) {
        return false;
      }
      seen[0]++;
      action.accept(it);
      return true;
    };
  }

  /** Forward from {@code prefix} while keys match it and {@code visitor} goes on. */
  private void scanWhile(Family family, byte[] prefix, Visitor visitor) {
    scanWhile(family, prefix, prefix, visitor);
  }

  /**
   * Forward from {@code seekTo} (at or after {@code prefix}) while keys match the prefix and {@code
   * visitor} goes on. Every key matches the empty prefix, and is not copied out to check it.
   */
  private void scanWhile(Family family, byte[] seekTo, byte[] prefix, Visitor visitor) {
    withReadLock(
        () -> {
          try (RocksIterator it = db.newIterator(handles.get(family))) {
            for (it.seek(seekTo); it.isValid(); it.next()) {
              if ((prefix.length > 0 && !Keys.startsWith(it.key(), prefix)) || !visitor.visit(it)) {
                break;
              }
            }
          }
          return null;
        });
  }

  /** Backwards through {@code prefix} while {@code visitor} goes on. */
  private void scanBackwardsWhile(Family family, byte[] prefix, Visitor visitor) {
    withReadLock(
        () -> {
          byte[] upper = prefix.clone();
          upper[upper.length - 1]++; // prefixes end in the 0 separator, so this cannot overflow
          try (RocksIterator it = db.newIterator(handles.get(family))) {
            for (it.seekForPrev(upper); it.isValid(); it.prev()) {
              if (!Keys.startsWith(it.key(), prefix) || !visitor.visit(it)) {
                break;
              }
            }
          }
          return null;
        });
  }

  private <T> T withReadLock(Supplier<T> action) {
    lock.readLock().lock();
    try {
      if (db == null) {
        throw new StoreException("the state store is closed", null);
      }
      return action.get();
    } finally {
      lock.readLock().unlock();
    }
  }

  static <T extends MessageLite> T parse(byte[] bytes, Parser<T> parser) {
    if (bytes == null) {
      return null;
    }
    try {
      return parser.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new StoreException("corrupt record in the state store", e);
    }
  }

}
