package io.raftcron.sm.store;

import java.util.EnumMap;
import java.util.Map;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.LRUCache;

/**
 * The RocksDB options of one store, chosen for its workload. A fire decision writes a run, its
 * queue and active entries and its job's cursor record; grants and completions read a run and
 * rewrite it with its queue, lease or retry entries; reads are point reads and short prefix scans.
 * Figures are from {@code ApplierBenchmark} (5000 decisions per entry; README, Tuning decisions).
 *
 * <ul>
 *   <li>A whole-key Bloom filter (10 bits/key, ~1 % false positives): a point read of a missing
 *       key (a manual trigger's free slot, a job that does not exist) reads no data block.
 *   <li>Index and filter blocks in one bounded block cache (32 MiB LRU, shared by the families)
 *       instead of growing outside it with the number of SST files, in 4 shards: RocksDB's default
 *       of 64 shards of 512 KiB cannot keep a filter block larger than a shard (one per SST file,
 *       10 bits a key: 420 000 runs), so every read that reached such a file read its whole filter
 *       again (observed with the per-slot run read: 0 filter cache hits in 100 000 lookups).
 *   <li>Small write buffers (4 MiB) for the cursors and meta families: they rewrite the same few
 *       keys at every entry, so a small memtable holds the live versions only and its flushes drop
 *       the superseded ones; its skiplist is also shallower to insert into.
 *   <li>16 MiB write buffers for the queue, active, lease and retry indexes: each fire inserts a
 *       small key, and a memtable insert costs the log of the entries it holds; their keys are
 *       short-lived, so flushes stay small. The runs family keeps RocksDB's 64 MiB: smaller ones
 *       made inserts cheaper but flushes and compactions of the large runs cost more in all.
 *   <li>At most 256 MiB of WAL: a WAL file is kept until every family with data in it has flushed,
 *       and families written rarely (jobs, alerts) hardly ever flush on their own, so the WAL grew
 *       to 670 MB (75 files) in 40 s of fires and a restart would replay all of it.
 *   <li>Dynamic level sizes, which keep space amplification low as runs are purged by retention.
 * </ul>
 *
 * RocksDB's defaults are kept for compression (Snappy) and background jobs (two: one flush, one
 * compaction thread): LZ4, no compression on L0, and four background jobs measured no better.
 * Options are not part of the data format: a store written with other options opens as before.
 */
final class StoreOptions implements AutoCloseable {
  private static final long MIB = 1024 * 1024;
  private static final long BLOCK_CACHE_BYTES = 32 * MIB;
  private static final int BLOCK_CACHE_SHARD_BITS = 2;
  private static final long MAX_WAL_BYTES = 256 * MIB;

  private final LRUCache blockCache = new LRUCache(BLOCK_CACHE_BYTES, BLOCK_CACHE_SHARD_BITS);
  private final BloomFilter bloomFilter = new BloomFilter(10);
  private final DBOptions db =
      new DBOptions()
          .setCreateIfMissing(true)
          .setCreateMissingColumnFamilies(true)
          .setMaxTotalWalSize(MAX_WAL_BYTES);
  private final ColumnFamilyOptions defaultFamily = family(64 * MIB);
  private final Map<Family, ColumnFamilyOptions> families = new EnumMap<>(Family.class);

  StoreOptions() {
    for (Family f : Family.values()) {
      families.put(f, family(writeBufferBytes(f)));
    }
  }

  private static long writeBufferBytes(Family family) {
    return switch (family) {
      case CURSORS, META -> 4 * MIB;
      case QUEUE, ACTIVE, LEASES, RETRIES -> 16 * MIB;
      default -> 64 * MIB;
    };
  }

  private ColumnFamilyOptions family(long writeBufferBytes) {
    BlockBasedTableConfig table =
        new BlockBasedTableConfig()
            .setFilterPolicy(bloomFilter)
            .setWholeKeyFiltering(true)
            .setCacheIndexAndFilterBlocks(true)
            .setPinL0FilterAndIndexBlocksInCache(true)
            .setBlockCache(blockCache);
    return new ColumnFamilyOptions()
        .setTableFormatConfig(table)
        .setLevelCompactionDynamicLevelBytes(true)
        .setWriteBufferSize(writeBufferBytes);
  }

  DBOptions db() {
    return db;
  }

  ColumnFamilyOptions defaultFamily() {
    return defaultFamily;
  }

  ColumnFamilyOptions family(Family family) {
    return families.get(family);
  }

  @Override
  public void close() {
    db.close();
    defaultFamily.close();
    families.values().forEach(ColumnFamilyOptions::close);
    bloomFilter.close();
    blockCache.close();
  }
}
