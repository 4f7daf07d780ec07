package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.Status;
import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.proto.BackfillJobResponse;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.PreviewJobResponse;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunOrigin;
import io.raftcron.proto.SlotExplanation;
import io.raftcron.proto.SlotVerdict;
import io.raftcron.sm.Times;
import io.raftcron.sm.planner.FirePlanner;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pause, resume, trigger, backfill, preview and explain through the gRPC API of three nodes in one
 * JVM (any node answers; writes are forwarded to the leader).
 */
class JobPolicyClusterTest {
  @TempDir Path dir;

  private static JobSpec everySecond(String name, MisfirePolicy misfire) {
    return TestJobs.everySecond(name).toBuilder().setMisfire(misfire).build();
  }

  private static List<Run> scheduled(RaftcronClient client, String job) {
    return client.listRuns(job, 1000).stream().filter(r -> r.getOrigin() != RunOrigin.MANUAL).toList();
  }

  @Test
  void pauseResumeTriggerBackfillAndExplainThroughTheApi() throws Exception {
    try (LocalCluster cluster = new LocalCluster(dir, 3, Duration.ofSeconds(5));
        RaftcronClient client = RaftcronClient.connect(cluster.grpcAddrs(), Duration.ofSeconds(20))) {
      cluster.awaitLeader(Duration.ofSeconds(30));
      client.createJob(everySecond("tick", MisfirePolicy.SKIP));
      await().atMost(Duration.ofSeconds(30)).until(() -> scheduled(client, "tick").size() >= 2);

      // Pause: no slot after the pause is fired, and explain says why.
      Job paused = client.pauseJob("tick");
      assertThat(paused.getPaused()).isTrue();
      Instant pausedAt = Times.toInstant(paused.getPausedAt());
      await().during(Duration.ofSeconds(7)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
          .untilAsserted(() -> assertThat(scheduled(client, "tick"))
              .allSatisfy(r -> assertThat(Times.toInstant(r.getSlot())).isBeforeOrEqualTo(pausedAt)));
      Instant inPause = pausedAt.truncatedTo(ChronoUnit.SECONDS).plusSeconds(2);
      SlotExplanation pending = client.explainSlot("tick", inPause);
      assertThat(pending.getVerdict()).isEqualTo(SlotVerdict.PAUSED_PENDING);

      // Trigger works while paused, and is idempotent per request id.
      Run manual = client.triggerJob("tick", "deploy-1");
      Run again = client.triggerJob("tick", "deploy-1");
      assertThat(manual.getOrigin()).isEqualTo(RunOrigin.MANUAL);
      assertThat(again.getRunId()).isEqualTo(manual.getRunId());
      assertThat(client.getRun(manual.getRunId()).getRequestId()).isEqualTo("deploy-1");
      assertThatThrownBy(() -> client.getRun(manual.getRunId() + "-other"))
          .hasMessageContaining("does not exist");
      assertThat(client.triggerJob("tick", "").getRunId()).isNotEqualTo(manual.getRunId());

      // Resume: the pause window's missed slots are skipped (policy skip) with the reason "paused".
      Job resumed = client.resumeJob("tick");
      assertThat(resumed.getPaused()).isFalse();
      SlotExplanation skipped = client.explainSlot("tick", inPause);
      assertThat(skipped.getVerdict()).isEqualTo(SlotVerdict.SKIPPED_SLOT);
      assertThat(skipped.getSkipped().getReason()).isEqualTo(FirePlanner.REASON_PAUSED);
      await().atMost(Duration.ofSeconds(30))
          .until(() -> scheduled(client, "tick").stream()
              .anyMatch(r -> Times.toInstant(r.getSlot()).isAfter(Times.toInstant(resumed.getUpdatedAt()))));

      // Backfill the pause window: the skipped slots fire once, a second backfill creates nothing.
      Instant from = pausedAt.truncatedTo(ChronoUnit.SECONDS);
      Instant to = from.plusSeconds(5);
      BackfillJobResponse first = client.backfillJob("tick", from, to);
      assertThat(first.getRunsList()).isNotEmpty()
          .allSatisfy(r -> assertThat(r.getOrigin()).isEqualTo(RunOrigin.BACKFILL));
      BackfillJobResponse second = client.backfillJob("tick", from, to);
      assertThat(second.getRunsList()).isEmpty();
      assertThat(second.getAlreadyDecided()).isEqualTo(5);
      SlotExplanation backfilled = client.explainSlot("tick", inPause);
      assertThat(backfilled.getVerdict()).isEqualTo(SlotVerdict.FIRED);
      assertThat(backfilled.getRun().getOrigin()).isEqualTo(RunOrigin.BACKFILL);

      // Preview and the refusals.
      PreviewJobResponse preview = client.previewJob("tick", 5);
      assertThat(preview.getSlotsList()).hasSize(5);
      assertThat(preview.getTimeZone()).isEqualTo("UTC");
      assertThatThrownBy(() -> client.backfillJob("tick", from.minusSeconds(5000), to))
          .isInstanceOf(RaftcronException.class)
          .hasMessageContaining("more than 1000");
      assertThatThrownBy(() -> client.pauseJob("ghost"))
          .isInstanceOfSatisfying(RaftcronException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.NOT_FOUND));
      assertThatThrownBy(() -> client.triggerJob("tick", "bad id"))
          .isInstanceOfSatisfying(RaftcronException.class,
              e -> assertThat(e.code()).isEqualTo(Status.Code.INVALID_ARGUMENT));

      assertThat(cluster.fatalError()).isNull();
    }
  }
}
