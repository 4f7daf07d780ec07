package io.raftcron.sm.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class KeysTest {
  @Test
  void aRunKeyIsTheJobNameAZeroByteAndTheBigEndianMillis() {
    assertThat(Keys.jobTime("ab", Instant.ofEpochMilli(0x0102030405060708L)))
        .containsExactly('a', 'b', 0, 1, 2, 3, 4, 5, 6, 7, 8);
  }
}
