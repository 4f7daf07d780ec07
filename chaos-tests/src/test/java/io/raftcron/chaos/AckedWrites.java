package io.raftcron.chaos;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * I3: no acknowledged write is lost, and acknowledged writes take effect in order.
 *
 * <ul>
 *   <li>Order: if one acknowledged create/update finished before another started, its version
 *       (the log index of the write) is smaller.
 *   <li>Durability: the final state of a key (read linearizably after healing) is the effect of
 *       the last acknowledged write, or of a write that may have come after it (one still running
 *       when it was invoked or started later, acknowledged or unknown).
 * </ul>
 */
final class AckedWrites {
  /** The final state of a key: absent, or present with its version and value. */
  record Final(boolean present, long version, String value) {
    static Final absent() {
      return new Final(false, -1, null);
    }

    static Final of(long version, String value) {
      return new Final(true, version, value);
    }
  }

  private AckedWrites() {}

  static List<Violation> check(List<Op> history, Map<String, Final> finals) {
    List<Violation> out = new ArrayList<>();
    Map<String, List<Op>> byKey = history.stream().filter(Op::isWrite)
        .collect(Collectors.groupingBy(op -> op.key));
    byKey.forEach((key, writes) -> {
      List<Op> acked = writes.stream().filter(op -> op.type == Op.Type.OK).toList();
      List<Op> versioned = acked.stream().filter(op -> op.f != Op.F.DELETE)
          .sorted(Comparator.comparingLong(op -> op.invokeNanos)).toList();
      for (Op a : versioned) {
        for (Op b : versioned) {
          if (a.completeNanos < b.invokeNanos && a.resultVersion >= b.resultVersion) {
            out.add(new Violation("I3", "key " + key + ": acknowledged writes out of order: " + a + " finished before "
                + b + " started, yet has version " + a.resultVersion + " >= " + b.resultVersion));
          }
        }
      }
      Final fin = finals.get(key);
      if (fin == null || acked.isEmpty()) {
        return;
      }
      Op last = acked.stream().max(Comparator.comparingLong(op -> op.completeNanos)).orElseThrow();
      List<Op> candidates = writes.stream()
          .filter(op -> op == last || (op.type != Op.Type.FAIL && op.completeNanos > last.invokeNanos && op.type != null))
          .toList();
      Optional<Op> explains = candidates.stream().filter(op -> explains(op, fin)).findFirst();
      if (explains.isEmpty()) {
        out.add(new Violation("I3", "key " + key + ": the acknowledged write " + last + " is lost: the final state is "
            + (fin.present() ? "version " + fin.version() + " value " + fin.value() : "absent")
            + ", which no write at or after it explains"));
      }
    });
    return out;
  }

  private static boolean explains(Op op, Final fin) {
    if (op.f == Op.F.DELETE) {
      return !fin.present();
    }
    if (!fin.present() || !op.value.equals(fin.value())) {
      return false;
    }
    return op.type != Op.Type.OK || op.resultVersion == fin.version();
  }
}
