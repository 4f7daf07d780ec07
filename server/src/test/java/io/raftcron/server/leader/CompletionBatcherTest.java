package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Completion;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.ResultCode;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A CompleteRuns entry takes as many waiting completions as fit its count and byte bounds, and never none. */
class CompletionBatcherTest extends LeaderLoopTest {
  private static Completion completion(int errorBytes) {
    return Completion.newBuilder()
        .setRunId("job@2026-12-06T10:00:00Z")
        .setFencingToken(7)
        .setWorker("w1")
        .setError("e".repeat(errorBytes))
        .build();
  }

  private static CompletionBatcher.Pending pending(int errorBytes) {
    return new CompletionBatcher.Pending(completion(errorBytes), new CompletableFuture<>());
  }

  @Test
  void smallCompletionsFillAnEntryUpToItsCount() {
    assertThat(CompletionBatcher.entrySize(Collections.nCopies(5000, pending(0))))
        .isEqualTo(CompletionBatcher.MAX_PER_ENTRY);
    assertThat(CompletionBatcher.entrySize(Collections.nCopies(10, pending(0)))).isEqualTo(10);
  }

  @Test
  void longErrorTextsFillAnEntryUpToItsBytes() {
    int bytes = completion(4096).getSerializedSize();
    int n = CompletionBatcher.entrySize(Collections.nCopies(3000, pending(4096)));

    assertThat((long) n * bytes).isLessThanOrEqualTo(CompletionBatcher.MAX_BYTES_PER_ENTRY);
    assertThat((long) (n + 1) * bytes).isGreaterThan(CompletionBatcher.MAX_BYTES_PER_ENTRY);
  }

  @Test
  void aCompletionLargerThanTheByteBoundStillGoesOutAlone() {
    CompletionBatcher.Pending huge = pending(CompletionBatcher.MAX_BYTES_PER_ENTRY + 1);

    assertThat(CompletionBatcher.entrySize(List.of(huge, pending(0)))).isEqualTo(1);
    assertThat(CompletionBatcher.entrySize(List.of(pending(0), huge))).isEqualTo(1);
  }

  @Test
  void anEntryRefusedAsAWholeAnswersEachCompletionWithTheRefusal() throws Exception {
    CommandResult refused = CommandResult.newBuilder().setCode(ResultCode.INVALID).setMessage("entry 9 holds a value out of range").build();
    CompletionBatcher batcher = new CompletionBatcher(term((term, command) -> CompletableFuture.completedFuture(refused)));

    List<CompletableFuture<CommandResult>> replies = executor.submit(
        () -> List.of(batcher.submit(completion(0)), batcher.submit(completion(0)))).get(10, TimeUnit.SECONDS);

    for (CompletableFuture<CommandResult> reply : replies) {
      assertThat(reply.get(10, TimeUnit.SECONDS).getItemsList()).extracting(ItemResult::getCode, ItemResult::getMessage)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(ResultCode.INVALID, "entry 9 holds a value out of range"));
    }
  }
}
