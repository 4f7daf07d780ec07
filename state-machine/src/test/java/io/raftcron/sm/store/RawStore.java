package io.raftcron.sm.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;

/** Writes a store's column families through RocksDB itself: what an older or a newer build would have written. */
final class RawStore {
  interface Writer {
    void put(Family family, byte[] key, byte[] value) throws RocksDBException;
  }

  interface Writes {
    void to(Writer writer) throws RocksDBException;
  }

  private RawStore() {}

  static void write(Path db, Writes writes) throws RocksDBException {
    List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
    descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY));
    for (Family f : Family.values()) {
      descriptors.add(new ColumnFamilyDescriptor(f.cfName));
    }
    List<ColumnFamilyHandle> handles = new ArrayList<>();
    try (DBOptions options = new DBOptions().setCreateIfMissing(true).setCreateMissingColumnFamilies(true);
        RocksDB rocks = RocksDB.open(options, db.toString(), descriptors, handles)) {
      writes.to((family, key, value) -> rocks.put(handles.get(family.ordinal() + 1), key, value));
      handles.forEach(ColumnFamilyHandle::close);
    }
  }
}
