package io.raftcron.sm.store;

import io.raftcron.proto.BackupFileEntry;
import io.raftcron.proto.BackupHeader;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.commons.io.input.BoundedInputStream;
import org.apache.commons.io.output.CloseShieldOutputStream;

/**
 * The backup file: a consistent checkpoint of the state store in one stream.
 *
 * <pre>
 *   "RAFTCRON-BACKUP\n"                         16 magic bytes
 *   BackupHeader, length-delimited              archive version, store format, applied index, taken by, file count
 *   file_count x (BackupFileEntry, length-delimited; then exactly `size` bytes)   the RocksDB checkpoint's files
 *   SHA-256 of everything above                 32 bytes
 * </pre>
 *
 * A reader checks the magic, refuses an archive or store format newer than it knows, and verifies the checksum before
 * it reports success: a truncated or corrupted file is refused.
 */
public final class BackupArchive {
  /** The layout above; a reader refuses a newer one. */
  public static final int ARCHIVE_VERSION = 1;

  private static final byte[] MAGIC = "RAFTCRON-BACKUP\n".getBytes(StandardCharsets.US_ASCII);
  private static final int CHECKSUM_BYTES = 32;
  private static final int MAX_FILES = 100_000;

  private BackupArchive() {}

  /**
   * Writes a backup of {@code store} to {@code out}, using {@code workDir} (an empty folder, deleted by the caller)
   * for the checkpoint. The state is the store's at one applied index, with everything committed before the call
   * when the caller passed a linearizable read barrier first.
   */
  public static BackupHeader write(SchedulerStore store, Path workDir, String takenBy, OutputStream out)
      throws IOException {
    Path checkpoint = workDir.resolve("checkpoint");
    long appliedIndex = store.checkpointAtAppliedIndex(checkpoint);
    List<String> files = store.checkpointFiles(checkpoint);
    BackupHeader header = BackupHeader.newBuilder()
        .setArchiveVersion(ARCHIVE_VERSION)
        .setStoreFormatVersion((int) store.formatVersion())
        .setAppliedIndex(appliedIndex)
        .setTakenBy(takenBy)
        .setFileCount(files.size())
        .build();
    MessageDigest sha = sha256();
    DigestOutputStream digesting = new DigestOutputStream(CloseShieldOutputStream.wrap(out), sha);
    digesting.write(MAGIC);
    header.writeDelimitedTo(digesting);
    for (String name : files) {
      Path file = checkpoint.resolve(name);
      BackupFileEntry.newBuilder().setName(name).setSize(Files.size(file)).build().writeDelimitedTo(digesting);
      Files.copy(file, digesting);
    }
    digesting.flush();
    out.write(sha.digest());
    out.flush();
    return header;
  }

  /**
   * Reads and verifies a backup; with {@code extractTo} (an empty folder) its checkpoint files are written there and
   * can be opened with {@link SchedulerStore#open}. Throws {@link InvalidBackupException} saying what is wrong.
   */
  public static BackupHeader read(Path file, Optional<Path> extractTo) throws IOException {
    long total = Files.size(file);
    if (total < MAGIC.length + CHECKSUM_BYTES) {
      throw new InvalidBackupException(file + " is not a raftcron backup (too short)");
    }
    MessageDigest sha = sha256();
    try (InputStream raw = new java.io.BufferedInputStream(Files.newInputStream(file))) {
      // Everything but the trailing checksum goes through the digest.
      InputStream body = new DigestInputStream(bounded(raw, total - CHECKSUM_BYTES), sha);
      byte[] magic = body.readNBytes(MAGIC.length);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new InvalidBackupException(file + " is not a raftcron backup (no RAFTCRON-BACKUP header)");
      }
      BackupHeader header = BackupHeader.parseDelimitedFrom(body);
      if (header == null) {
        throw new InvalidBackupException(file + " is truncated: no header");
      }
      if (header.getArchiveVersion() > ARCHIVE_VERSION || header.getArchiveVersion() < 1) {
        throw new InvalidBackupException(file + " has backup layout " + header.getArchiveVersion()
            + "; this raftcron reads layout " + ARCHIVE_VERSION + ": use a raftcron release that knows it");
      }
      if (header.getStoreFormatVersion() > SchedulerStore.FORMAT_VERSION) {
        throw new InvalidBackupException(file + " holds state in data format " + header.getStoreFormatVersion()
            + ", newer than the format " + SchedulerStore.FORMAT_VERSION + " this raftcron knows");
      }
      if (header.getFileCount() < 0 || header.getFileCount() > MAX_FILES) {
        throw new InvalidBackupException(file + " is corrupt: " + header.getFileCount() + " files");
      }
      for (int i = 0; i < header.getFileCount(); i++) {
        copyEntry(file, body, extractTo);
      }
      if (body.read() != -1) {
        throw new InvalidBackupException(file + " is corrupt: unexpected bytes after the last file");
      }
      byte[] expected = new DataInputStream(raw).readNBytes(CHECKSUM_BYTES);
      if (!MessageDigest.isEqual(expected, sha.digest())) {
        throw new InvalidBackupException(file + " is corrupt: its SHA-256 checksum does not match its content");
      }
      return header;
    } catch (EOFException e) {
      throw new InvalidBackupException(file + " is truncated");
    }
  }

  private static void copyEntry(Path file, InputStream body, Optional<Path> extractTo) throws IOException {
    BackupFileEntry entry = BackupFileEntry.parseDelimitedFrom(body);
    if (entry == null) {
      throw new InvalidBackupException(file + " is truncated: a file entry is missing");
    }
    String name = entry.getName();
    if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".") || entry.getSize() < 0) {
      throw new InvalidBackupException(file + " is corrupt: bad file entry '" + name + "'");
    }
    InputStream content = bounded(body, entry.getSize());
    if (extractTo.isPresent()) {
      long copied = Files.copy(content, extractTo.get().resolve(name));
      if (copied != entry.getSize()) {
        throw new InvalidBackupException(file + " is truncated inside " + name);
      }
    } else if (content.transferTo(OutputStream.nullOutputStream()) != entry.getSize()) {
      throw new InvalidBackupException(file + " is truncated inside " + name);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** At most {@code limit} bytes of {@code in}; closing it leaves {@code in} open. */
  private static InputStream bounded(InputStream in, long limit) throws IOException {
    return BoundedInputStream.builder().setInputStream(in).setMaxCount(limit).setPropagateClose(false).get();
  }

  /** The file is not a backup this build can restore; the message says why. */
  public static final class InvalidBackupException extends IOException {
    public InvalidBackupException(String message) {
      super(message);
    }
  }
}
