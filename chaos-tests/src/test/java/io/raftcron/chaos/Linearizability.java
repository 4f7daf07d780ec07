package io.raftcron.chaos;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * I5: job create / update-with-version / delete / get are linearizable, per key (P-compositionality),
 * checked with the Wing–Gong / Lowe search (as in Knossos and Porcupine): linearize calls in
 * real-time order, backtrack on a return that cannot be explained, memoise (linearized set, state).
 *
 * <p>The model is a register with compare-and-set on a version: create is put-if-absent, update is
 * CAS on the version, delete removes, get reads. Versions are the log indexes the cluster assigns,
 * so a write whose reply was lost (info) leaves the version unknown until a later read or CAS
 * reveals it. Info operations may or may not have happened; info reads are dropped.
 */
final class Linearizability {
  /** Verdict for one key. */
  enum Outcome { LINEARIZABLE, NOT_LINEARIZABLE, UNKNOWN }

  record Result(String key, Outcome outcome, int ops, long steps, String detail) {}

  /** A register state; version -1 means present with a version not known to the model. */
  record State(boolean present, long version, String value) {
    static final State ABSENT = new State(false, -1, null);
  }

  static final long DEFAULT_STEP_LIMIT = 1_000_000;

  private Linearizability() {}

  static List<Result> check(List<Op> history, long stepLimit) {
    Map<String, List<Op>> byKey = history.stream()
        .filter(op -> op.type != null)
        .filter(op -> !(op.f == Op.F.GET && op.type == Op.Type.INFO))
        .filter(op -> !RegisterWorkload.NOT_SENT.equals(op.error))
        .collect(Collectors.groupingBy(op -> op.key, TreeMap::new, Collectors.toList()));
    List<Result> results = new ArrayList<>();
    byKey.forEach((key, ops) -> results.add(checkKey(key, ops, stepLimit)));
    return results;
  }

  static List<Violation> violations(List<Result> results) {
    return results.stream().filter(r -> r.outcome() == Outcome.NOT_LINEARIZABLE)
        .map(r -> new Violation("I5", "key " + r.key() + " is not linearizable (" + r.ops() + " operations): " + r.detail()))
        .toList();
  }

  /** The possible states after {@code op} takes effect in {@code s}; empty if it cannot. */
  static List<State> step(State s, Op op) {
    boolean info = op.type == Op.Type.INFO;
    switch (op.f) {
      case CREATE -> {
        if (info) {
          return s.present() ? List.of(s) : List.of(new State(true, -1, op.value));
        }
        if (op.type == Op.Type.OK) {
          return s.present() ? List.of() : List.of(new State(true, op.resultVersion, op.value));
        }
        // ALREADY_EXISTS
        return "ALREADY_EXISTS".equals(op.error) && s.present() ? List.of(s) : List.of();
      }
      case UPDATE -> {
        boolean matches = s.present() && (s.version() == op.expectedVersion || s.version() == -1);
        boolean mismatches = s.present() && s.version() != op.expectedVersion;
        if (info) {
          List<State> next = new ArrayList<>(2);
          if (matches) {
            next.add(new State(true, -1, op.value));
          }
          if (mismatches || !s.present()) {
            next.add(s);
          }
          return next;
        }
        if (op.type == Op.Type.OK) {
          return matches ? List.of(new State(true, op.resultVersion, op.value)) : List.of();
        }
        if ("NOT_FOUND".equals(op.error)) {
          return s.present() ? List.of() : List.of(s);
        }
        // FAILED_PRECONDITION: the version did not match
        return mismatches ? List.of(s) : List.of();
      }
      case DELETE -> {
        if (info) {
          return s.present() ? List.of(State.ABSENT, s) : List.of(s);
        }
        if (op.type == Op.Type.OK) {
          return s.present() ? List.of(State.ABSENT) : List.of();
        }
        return s.present() ? List.of() : List.of(s);
      }
      case GET -> {
        if (op.type == Op.Type.FAIL) {
          return s.present() ? List.of() : List.of(s);
        }
        boolean same = s.present() && Objects.equals(s.value(), op.resultValue)
            && (s.version() == -1 || s.version() == op.resultVersion);
        return same ? List.of(new State(true, op.resultVersion, op.resultValue)) : List.of();
      }
      default -> throw new IllegalStateException();
    }
  }

  /** A call or return event in the doubly linked list of the search. */
  private static final class Entry {
    final Op op;
    final int id;
    final boolean call;
    final long time;
    Entry match;
    Entry prev;
    Entry next;

    Entry(Op op, int id, boolean call, long time) {
      this.op = op;
      this.id = id;
      this.call = call;
      this.time = time;
    }
  }

  private record Frame(Entry entry, State before, int option) {}

  private record Memo(BitSet linearized, State state) {}

  static Result checkKey(String key, List<Op> ops, long stepLimit) {
    List<Entry> events = new ArrayList<>();
    for (int i = 0; i < ops.size(); i++) {
      Op op = ops.get(i);
      Entry call = new Entry(op, i, true, op.invokeNanos);
      Entry ret = new Entry(op, i, false, op.type == Op.Type.INFO ? Long.MAX_VALUE : op.completeNanos);
      call.match = ret;
      ret.match = call;
      events.add(call);
      events.add(ret);
    }
    // Calls before returns at the same instant: such operations count as concurrent.
    events.sort(Comparator.comparingLong((Entry e) -> e.time).thenComparing(e -> e.call ? 0 : 1));
    Entry head = new Entry(null, -1, false, Long.MIN_VALUE);
    Entry last = head;
    for (Entry e : events) {
      last.next = e;
      e.prev = last;
      last = e;
    }

    State state = State.ABSENT;
    BitSet linearized = new BitSet(ops.size());
    Set<Memo> cache = new HashSet<>();
    Deque<Frame> stack = new ArrayDeque<>();
    Entry entry = head.next;
    long steps = 0;
    int deepest = 0;
    String deepestState = "";
    while (head.next != null) {
      if (++steps > stepLimit) {
        return new Result(key, Outcome.UNKNOWN, ops.size(), steps, "search gave up after " + stepLimit + " steps");
      }
      if (entry.call) {
        Frame lifted = lift(entry, state, 0, linearized, cache);
        if (lifted != null) {
          stack.push(lifted);
          state = step(lifted.before(), entry.op).get(lifted.option());
          if (stack.size() > deepest) {
            deepest = stack.size();
            deepestState = state.toString();
          }
          entry = head.next;
        } else {
          entry = entry.next;
        }
      } else {
        if (entry.op.type == Op.Type.INFO) {
          // Only unknown operations are left, and each may never have happened.
          return new Result(key, Outcome.LINEARIZABLE, ops.size(), steps, "");
        }
        if (stack.isEmpty()) {
          return new Result(key, Outcome.NOT_LINEARIZABLE, ops.size(), steps,
              "no order explains the result of " + entry.op + "; the longest explained prefix had " + deepest
                  + " operations and ended in state " + deepestState);
        }
        Frame top = stack.pop();
        state = top.before();
        linearized.clear(top.entry().id);
        unlift(top.entry());
        Frame again = lift(top.entry(), state, top.option() + 1, linearized, cache);
        if (again != null) {
          stack.push(again);
          state = step(again.before(), again.entry().op).get(again.option());
          entry = head.next;
        } else {
          entry = top.entry().next;
        }
      }
    }
    return new Result(key, Outcome.LINEARIZABLE, ops.size(), steps, "");
  }

  /** Tries the options of linearizing {@code entry} from {@code firstOption}; lifts it on success. */
  private static Frame lift(Entry entry, State state, int firstOption, BitSet linearized, Set<Memo> cache) {
    List<State> options = step(state, entry.op);
    for (int k = firstOption; k < options.size(); k++) {
      BitSet next = (BitSet) linearized.clone();
      next.set(entry.id);
      if (cache.add(new Memo(next, options.get(k)))) {
        linearized.set(entry.id);
        remove(entry);
        remove(entry.match);
        return new Frame(entry, state, k);
      }
    }
    return null;
  }

  private static void unlift(Entry entry) {
    restore(entry.match);
    restore(entry);
  }

  private static void remove(Entry e) {
    e.prev.next = e.next;
    if (e.next != null) {
      e.next.prev = e.prev;
    }
  }

  private static void restore(Entry e) {
    e.prev.next = e;
    if (e.next != null) {
      e.next.prev = e;
    }
  }
}
