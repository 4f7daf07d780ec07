package io.raftcron.chaos;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Jepsen history: every client operation's invoke and completion (ok / fail / info) and every
 * nemesis event, as JSON lines in {@code history.jsonl}, with the seed on the first line. The
 * operations are also kept in memory for the checkers.
 */
final class History implements AutoCloseable {
  /** A fault injected or healed, with its wall-clock time. */
  record NemesisEvent(long nanos, Instant at, String kind, String phase, String detail) {}

  private final long seed;
  private final long startNanos = System.nanoTime();
  private final BufferedWriter out;
  private final AtomicLong ids = new AtomicLong();
  private final List<Op> ops = new ArrayList<>();
  private final List<NemesisEvent> nemesis = new ArrayList<>();

  History(Path file, long seed) {
    this.seed = seed;
    try {
      Files.createDirectories(file.getParent());
      this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    write(Json.object().put("type", "start").put("seed", seed).put("time", Instant.now().toString()));
  }

  long seed() {
    return seed;
  }

  Op invoke(String process, Op.F f, String key, String value, long expectedVersion) {
    Op op = new Op(ids.incrementAndGet(), process, f, key, value, expectedVersion, System.nanoTime());
    synchronized (this) {
      ops.add(op);
    }
    write(base(op, "invoke").put("value", value).put("expected", f == Op.F.UPDATE ? expectedVersion : null));
    return op;
  }

  void ok(Op op, long version, String readValue) {
    op.ok(System.nanoTime(), version, readValue);
    write(base(op, "ok").put("version", version >= 0 ? version : null).put("read", readValue));
  }

  void fail(Op op, String code) {
    op.fail(System.nanoTime(), code);
    write(base(op, "fail").put("error", code));
  }

  void info(Op op, String why) {
    op.info(why);
    write(base(op, "info").put("error", why));
  }

  void nemesis(String kind, String phase, String detail) {
    NemesisEvent event = new NemesisEvent(System.nanoTime(), Instant.now(), kind, phase, detail);
    synchronized (this) {
      nemesis.add(event);
    }
    write(Json.object().put("type", "nemesis").put("time", event.at().toString()).put("t", millis(event.nanos()))
        .put("kind", kind).put("phase", phase).put("detail", detail));
  }

  void note(String what) {
    write(Json.object().put("type", "note").put("time", Instant.now().toString())
        .put("t", millis(System.nanoTime())).put("note", what));
  }

  /** The latest operation a process invoked. */
  synchronized Op lastOf(String process) {
    for (int i = ops.size() - 1; i >= 0; i--) {
      if (ops.get(i).process.equals(process)) {
        return ops.get(i);
      }
    }
    return null;
  }

  synchronized List<Op> ops() {
    return List.copyOf(ops);
  }

  synchronized List<NemesisEvent> nemesisEvents() {
    return List.copyOf(nemesis);
  }

  private Json base(Op op, String type) {
    return Json.object().put("type", type).put("time", Instant.now().toString()).put("t", millis(System.nanoTime()))
        .put("id", op.id).put("process", op.process).put("f", op.f.name().toLowerCase()).put("key", op.key);
  }

  private long millis(long nanos) {
    return (nanos - startNanos) / 1_000_000;
  }

  private synchronized void write(Json line) {
    try {
      out.write(line.toString());
      out.newLine();
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public synchronized void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
