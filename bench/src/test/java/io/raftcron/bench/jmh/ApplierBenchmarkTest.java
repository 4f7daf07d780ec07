package io.raftcron.bench.jmh;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.RunState;
import org.junit.jupiter.api.Test;

/** The benchmark's invocations do what their numbers claim: every decision fires, every run is leased and ends. */
class ApplierBenchmarkTest {

  @Test
  void eachInvocationFiresEveryJobAndTheLifecycleEndsEveryRunSucceeded() throws Exception {
    ApplierBenchmark benchmark = new ApplierBenchmark();
    benchmark.jobs = 20;
    benchmark.spec = "realistic";
    benchmark.createJobs();
    try {
      CommandResult fired = benchmark.fireSlots();
      assertThat(fired.getItemsList()).hasSize(20).allSatisfy(item -> {
        assertThat(item.getCode()).isEqualTo(ResultCode.OK);
        assertThat(item.getRun().getState()).isEqualTo(RunState.QUEUED);
      });
      long slot = fired.getItems(0).getRun().getSlot().getSeconds();
      for (int round = 1; round <= 2; round++) {
        CommandResult completed = benchmark.runLifecycle();
        assertThat(completed.getItemsList()).hasSize(20).allSatisfy(item -> {
          assertThat(item.getCode()).isEqualTo(ResultCode.OK);
          assertThat(item.getRun().getState()).isEqualTo(RunState.SUCCEEDED);
          assertThat(item.getRun().getFencingToken()).isPositive();
        });
        assertThat(completed.getItemsList().stream().map(ItemResult::getRun).map(r -> r.getSlot().getSeconds()))
            .as("each invocation's runs are of the next second's slot").containsOnly(slot + round);
      }
    } finally {
      benchmark.deleteStore();
    }
  }
}
