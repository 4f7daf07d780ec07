package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Completion;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A CompleteRuns entry takes as many waiting completions as fit its count and byte bounds, and never none. */
class CompletionBatcherTest {
  private static Completion completion(int errorBytes) {
    return Completion.newBuilder()
        .setRunId("job@2026-12-06T10:00:00Z")
        .setFencingToken(7)
        .setWorker("w1")
        .setError("e".repeat(errorBytes))
        .build();
  }

  @Test
  void smallCompletionsFillAnEntryUpToItsCount() {
    assertThat(CompletionBatcher.entrySize(Collections.nCopies(5000, completion(0))))
        .isEqualTo(CompletionBatcher.MAX_PER_ENTRY);
    assertThat(CompletionBatcher.entrySize(Collections.nCopies(10, completion(0)))).isEqualTo(10);
  }

  @Test
  void longErrorTextsFillAnEntryUpToItsBytes() {
    Completion failed = completion(4096);
    int n = CompletionBatcher.entrySize(Collections.nCopies(3000, failed));

    assertThat((long) n * failed.getSerializedSize()).isLessThanOrEqualTo(CompletionBatcher.MAX_BYTES_PER_ENTRY);
    assertThat((long) (n + 1) * failed.getSerializedSize()).isGreaterThan(CompletionBatcher.MAX_BYTES_PER_ENTRY);
  }

  @Test
  void aCompletionLargerThanTheByteBoundStillGoesOutAlone() {
    Completion huge = completion(CompletionBatcher.MAX_BYTES_PER_ENTRY + 1);

    assertThat(CompletionBatcher.entrySize(List.of(huge, completion(0)))).isEqualTo(1);
    assertThat(CompletionBatcher.entrySize(List.of(completion(0), huge))).isEqualTo(1);
  }
}
