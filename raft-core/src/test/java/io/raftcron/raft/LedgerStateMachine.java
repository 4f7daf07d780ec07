package io.raftcron.raft;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A "fire ledger": records each payload once with the index that fired it and answers "duplicate" to a repeat. Its
 * state and applied index are written together to one file after every entry, the way the real store keeps them in one
 * write batch, so a restart keeps the state and must not see an entry twice.
 */
final class LedgerStateMachine implements ReplicatedStateMachine {

  static final String POISON = "poison";
  private static final String SNAPSHOT_FILE = "ledger/entries.txt";

  private final Path stateFile;
  private final Map<String, Long> ledger = new LinkedHashMap<>();
  private long appliedIndex;
  /** Every index passed to apply() by this instance, and every lastIncludedIndex passed to loadSnapshot(). */
  final List<Long> applyCalls = new CopyOnWriteArrayList<>();
  final List<Long> snapshotLoads = new CopyOnWriteArrayList<>();

  LedgerStateMachine(Path stateFile) throws IOException {
    this.stateFile = stateFile;
    if (Files.exists(stateFile)) {
      appliedIndex = read(stateFile, ledger);
    }
  }

  @Override
  public synchronized long appliedIndex() {
    return appliedIndex;
  }

  @Override
  public synchronized Object apply(long index, byte[] data) {
    applyCalls.add(index);
    String payload = new String(data, StandardCharsets.UTF_8);
    if (payload.equals(POISON)) {
      throw new IllegalArgumentException("cannot apply " + payload);
    }
    String result = ledger.putIfAbsent(payload, index) == null ? "fired" : "duplicate";
    appliedIndex = index;
    persist();
    return result;
  }

  @Override
  public synchronized List<String> saveSnapshot(Path dir) throws IOException {
    write(dir.resolve(SNAPSHOT_FILE), appliedIndex, ledger);
    return List.of(SNAPSHOT_FILE);
  }

  @Override
  public synchronized void loadSnapshot(Path dir, long lastIncludedIndex) throws IOException {
    snapshotLoads.add(lastIncludedIndex);
    if (appliedIndex >= lastIncludedIndex) {
      return;
    }
    ledger.clear();
    read(dir.resolve(SNAPSHOT_FILE), ledger);
    appliedIndex = lastIncludedIndex;
    persist();
  }

  synchronized Map<String, Long> ledger() {
    return new LinkedHashMap<>(ledger);
  }

  /** Highest n of the "slot-n" payloads in the ledger, 0 if none. */
  synchronized int lastSlot() {
    return ledger.keySet().stream()
        .filter(p -> p.startsWith("slot-"))
        .mapToInt(p -> Integer.parseInt(p.substring(5)))
        .max()
        .orElse(0);
  }

  private void persist() {
    try {
      Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
      write(tmp, appliedIndex, ledger);
      Files.move(tmp, stateFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void write(Path file, long appliedIndex, Map<String, Long> ledger) throws IOException {
    List<String> lines = new ArrayList<>();
    lines.add(Long.toString(appliedIndex));
    ledger.forEach((payload, index) -> lines.add(index + " " + payload));
    Files.createDirectories(file.getParent());
    Files.write(file, lines);
  }

  private static long read(Path file, Map<String, Long> into) throws IOException {
    List<String> lines = Files.readAllLines(file);
    for (String line : lines.subList(1, lines.size())) {
      int space = line.indexOf(' ');
      into.put(line.substring(space + 1), Long.parseLong(line.substring(0, space)));
    }
    return Long.parseLong(lines.get(0));
  }
}
