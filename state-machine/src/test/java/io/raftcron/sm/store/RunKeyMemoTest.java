package io.raftcron.sm.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class RunKeyMemoTest {
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
  private final RunKeyMemo memo = new RunKeyMemo();

  @Test
  void theSameRunsKeyIsBuiltOnce() {
    byte[] first = memo.of("a", T0);

    assertThat(memo.of(new String("a"), Instant.ofEpochMilli(T0.toEpochMilli()))).isSameAs(first);
    assertThat(first).isEqualTo(Keys.jobTime("a", T0));
  }

  @Test
  void anotherJobOrSlotGetsItsOwnKey() {
    memo.of("a", T0);

    assertThat(memo.of("b", T0)).isEqualTo(Keys.jobTime("b", T0));
    assertThat(memo.of("b", T0.plusMillis(1))).isEqualTo(Keys.jobTime("b", T0.plusMillis(1)));
    assertThat(memo.of("a", T0)).isEqualTo(Keys.jobTime("a", T0));
  }

  @Test
  void aSlotOutOfRangeThrowsEvenAfterAKeyWasRemembered() {
    memo.of("a", T0);

    assertThatThrownBy(() -> memo.of("a", Instant.MAX)).isInstanceOf(ArithmeticException.class);
  }
}
