package io.raftcron.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** I5's WGL search on small register/CAS histories with known answers. */
class LinearizabilityTest {
  private static Linearizability.Outcome check(Op... ops) {
    List<Linearizability.Result> results = Linearizability.check(List.of(ops), 1_000_000);
    assertThat(results).hasSize(1);
    return results.get(0).outcome();
  }

  @Test
  void sequentialHistoryIsLinearizable() {
    assertThat(check(
        Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(1, 5, null),
        Op.of(2, "a", Op.F.GET, "k", null, 0, 2).ok(3, 5, "v1"),
        Op.of(3, "a", Op.F.UPDATE, "k", "v2", 5, 4).ok(5, 8, null),
        Op.of(4, "a", Op.F.UPDATE, "k", "v3", 5, 6).fail(7, "FAILED_PRECONDITION"),
        Op.of(5, "a", Op.F.DELETE, "k", null, 0, 8).ok(9, -1, null),
        Op.of(6, "a", Op.F.GET, "k", null, 0, 10).fail(11, "NOT_FOUND")))
        .isEqualTo(Linearizability.Outcome.LINEARIZABLE);
  }

  @Test
  void aStaleReadAfterAnAcknowledgedUpdateIsNotLinearizable() {
    assertThat(check(
        Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(1, 5, null),
        Op.of(2, "a", Op.F.UPDATE, "k", "v2", 5, 2).ok(3, 8, null),
        Op.of(3, "b", Op.F.GET, "k", null, 0, 4).ok(5, 5, "v1")))
        .isEqualTo(Linearizability.Outcome.NOT_LINEARIZABLE);
  }

  @Test
  void twoSuccessfulCreatesAreNotLinearizable() {
    assertThat(check(
        Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(10, 5, null),
        Op.of(2, "b", Op.F.CREATE, "k", "v2", 0, 1).ok(11, 6, null)))
        .isEqualTo(Linearizability.Outcome.NOT_LINEARIZABLE);
  }

  @Test
  void twoCasOnTheSameVersionCannotBothSucceed() {
    assertThat(check(
        Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(1, 5, null),
        Op.of(2, "a", Op.F.UPDATE, "k", "v2", 5, 2).ok(10, 8, null),
        Op.of(3, "b", Op.F.UPDATE, "k", "v3", 5, 3).ok(11, 9, null)))
        .isEqualTo(Linearizability.Outcome.NOT_LINEARIZABLE);
  }

  @Test
  void concurrentOperationsMayTakeEffectInEitherOrder() {
    // b's read overlaps a's update and sees the new value before a hears back: fine.
    assertThat(check(
        Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(1, 5, null),
        Op.of(2, "a", Op.F.UPDATE, "k", "v2", 5, 2).ok(10, 8, null),
        Op.of(3, "b", Op.F.GET, "k", null, 0, 3).ok(4, 8, "v2"),
        Op.of(4, "c", Op.F.GET, "k", null, 0, 3).ok(5, 5, "v1")))
        .isEqualTo(Linearizability.Outcome.LINEARIZABLE);
  }

  @Test
  void anUnknownWriteMayHaveHappenedOrNot() {
    Op create = Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(1, 5, null);
    Op lost = Op.of(2, "a", Op.F.UPDATE, "k", "v2", 5, 2).info("DEADLINE_EXCEEDED");
    assertThat(check(create, lost, Op.of(3, "b", Op.F.GET, "k", null, 0, 20).ok(21, 5, "v1")))
        .isEqualTo(Linearizability.Outcome.LINEARIZABLE);
    Op lost2 = Op.of(2, "a", Op.F.UPDATE, "k", "v2", 5, 2).info("DEADLINE_EXCEEDED");
    assertThat(check(Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(1, 5, null), lost2,
        Op.of(3, "b", Op.F.GET, "k", null, 0, 20).ok(21, 9, "v2")))
        .isEqualTo(Linearizability.Outcome.LINEARIZABLE);
    // ...but it cannot have written a value it did not write.
    Op lost3 = Op.of(2, "a", Op.F.UPDATE, "k", "v2", 5, 2).info("DEADLINE_EXCEEDED");
    assertThat(check(Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(1, 5, null), lost3,
        Op.of(3, "b", Op.F.GET, "k", null, 0, 20).ok(21, 9, "v9")))
        .isEqualTo(Linearizability.Outcome.NOT_LINEARIZABLE);
  }

  @Test
  void anUnknownWriteCannotTakeEffectBeforeItWasInvoked() {
    assertThat(check(
        Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(1, 5, null),
        Op.of(2, "b", Op.F.GET, "k", null, 0, 2).ok(3, 9, "v2"),
        Op.of(3, "a", Op.F.UPDATE, "k", "v2", 5, 4).info("DEADLINE_EXCEEDED")))
        .isEqualTo(Linearizability.Outcome.NOT_LINEARIZABLE);
  }

  @Test
  void aRefusalThatContradictsTheStateIsNotLinearizable() {
    // The key certainly exists (created and read back), yet an update is refused as NOT_FOUND.
    assertThat(check(
        Op.of(1, "a", Op.F.CREATE, "k", "v1", 0, 0).ok(1, 5, null),
        Op.of(2, "a", Op.F.UPDATE, "k", "v2", 5, 2).fail(3, "NOT_FOUND"),
        Op.of(3, "a", Op.F.GET, "k", null, 0, 4).ok(5, 5, "v1")))
        .isEqualTo(Linearizability.Outcome.NOT_LINEARIZABLE);
  }

  @Test
  void aLargeRandomSequentialHistoryIsCheckedQuickly() {
    // A real register driven sequentially by several processes with overlapping unknowns.
    Random random = new Random(7);
    List<Op> ops = new ArrayList<>();
    boolean present = false;
    long version = 0;
    String value = null;
    long t = 0;
    for (int i = 0; i < 300; i++) {
      int dice = random.nextInt(4);
      Op op;
      if (dice == 0) {
        op = Op.of(i, "p" + (i % 3), Op.F.CREATE, "k", "v" + i, 0, t++);
        if (present) {
          op.fail(t++, "ALREADY_EXISTS");
        } else {
          present = true;
          version = 10 + i;
          value = "v" + i;
          op.ok(t++, version, null);
        }
      } else if (dice == 1) {
        long expected = random.nextBoolean() ? version : version - 1;
        op = Op.of(i, "p" + (i % 3), Op.F.UPDATE, "k", "v" + i, expected, t++);
        if (!present) {
          op.fail(t++, "NOT_FOUND");
        } else if (expected != version) {
          op.fail(t++, "FAILED_PRECONDITION");
        } else {
          version = 10 + i;
          value = "v" + i;
          op.ok(t++, version, null);
        }
      } else if (dice == 2) {
        op = Op.of(i, "p" + (i % 3), Op.F.DELETE, "k", null, 0, t++);
        if (present) {
          present = false;
          op.ok(t++, -1, null);
        } else {
          op.fail(t++, "NOT_FOUND");
        }
      } else {
        op = Op.of(i, "p" + (i % 3), Op.F.GET, "k", null, 0, t++);
        if (present) {
          op.ok(t++, version, value);
        } else {
          op.fail(t++, "NOT_FOUND");
        }
      }
      ops.add(op);
    }
    List<Linearizability.Result> results = Linearizability.check(ops, 1_000_000);
    assertThat(results.get(0).outcome()).isEqualTo(Linearizability.Outcome.LINEARIZABLE);
    // Swap two results: the history stops being explainable.
    Op get = ops.stream().filter(o -> o.f == Op.F.GET && o.type == Op.Type.OK).findFirst().orElseThrow();
    get.resultValue = "not-a-written-value";
    assertThat(Linearizability.check(ops, 1_000_000).get(0).outcome())
        .isEqualTo(Linearizability.Outcome.NOT_LINEARIZABLE);
  }
}
