package io.raftcron.sm.applier;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.AlertNotice;
import io.raftcron.proto.AlertState;
import io.raftcron.proto.Command;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.MarkAlertsNotified;
import io.raftcron.proto.RaiseAlerts;
import io.raftcron.proto.ResolveAlerts;
import io.raftcron.proto.ResultCode;
import io.raftcron.sm.AppliedStoreTest;
import io.raftcron.sm.Times;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class AlertCommandsTest extends AppliedStoreTest {
  private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");

  private static Alert failing(String job) {
    return Alert.newBuilder().setId("failing-job/" + job).setKind(AlertKind.FAILING_JOB).setJob(job).setDetail("3 failures").build();
  }

  private ItemResult at(Instant t, Command.Builder command) {
    return apply(command.setLeaderTime(Times.toTimestamp(t)).build()).getItems(0);
  }

  private ItemResult raise(Instant t, Alert alert) {
    return at(t, Command.newBuilder().setRaiseAlerts(RaiseAlerts.newBuilder().addAlerts(alert)));
  }

  private ItemResult resolve(Instant t, String id) {
    return at(t, Command.newBuilder().setResolveAlerts(ResolveAlerts.newBuilder().addIds(id)));
  }

  private ItemResult mark(String id, long raisedIndex, AlertState state) {
    return at(T0, Command.newBuilder().setMarkAlertsNotified(MarkAlertsNotified.newBuilder()
        .addNotices(AlertNotice.newBuilder().setId(id).setRaisedIndex(raisedIndex).setState(state))));
  }

  private Alert stored() {
    assertThat(store.alerts()).hasSize(1);
    return store.alerts().get(0);
  }

  @Test
  void aRaisedAlertFiresOnceUntilResolvedThenAnotherRaiseStartsANewEpisode() {
    assertThat(raise(T0, failing("etl")).getCode()).isEqualTo(ResultCode.OK);
    Alert first = stored();
    assertThat(first.getState()).isEqualTo(AlertState.FIRING);
    assertThat(Times.toInstant(first.getSince())).isEqualTo(T0);
    assertThat(first.getRaisedIndex()).isEqualTo(1);

    assertThat(raise(T0.plusSeconds(5), failing("etl")).getCode()).isEqualTo(ResultCode.ALREADY_EXISTS);
    assertThat(stored()).isEqualTo(first);

    assertThat(resolve(T0.plusSeconds(10), "failing-job/etl").getCode()).isEqualTo(ResultCode.OK);
    assertThat(stored().getState()).isEqualTo(AlertState.RESOLVED);
    assertThat(Times.toInstant(stored().getResolvedAt())).isEqualTo(T0.plusSeconds(10));
    assertThat(resolve(T0.plusSeconds(11), "failing-job/etl").getCode()).isEqualTo(ResultCode.WRONG_STATE);

    assertThat(raise(T0.plusSeconds(20), failing("etl")).getCode()).isEqualTo(ResultCode.OK);
    assertThat(stored().getState()).isEqualTo(AlertState.FIRING);
    assertThat(stored().getRaisedIndex()).isEqualTo(5);
    assertThat(stored().hasResolvedAt()).isFalse();
  }

  @Test
  void notificationMarksBelongToOneEpisodeAndResolvedOnlyAfterResolving() {
    raise(T0, failing("etl"));
    assertThat(mark("failing-job/etl", 1, AlertState.RESOLVED).getCode()).isEqualTo(ResultCode.WRONG_STATE);
    assertThat(mark("failing-job/etl", 1, AlertState.FIRING).getCode()).isEqualTo(ResultCode.OK);
    assertThat(stored().getNotifiedFiring()).isTrue();
    resolve(T0.plusSeconds(1), "failing-job/etl");
    assertThat(mark("failing-job/etl", 1, AlertState.RESOLVED).getCode()).isEqualTo(ResultCode.OK);
    assertThat(stored().getNotifiedResolved()).isTrue();

    raise(T0.plusSeconds(2), failing("etl")); // index 6: a new episode, nothing delivered yet
    assertThat(stored().getNotifiedFiring()).isFalse();
    assertThat(mark("failing-job/etl", 1, AlertState.FIRING).getCode()).isEqualTo(ResultCode.WRONG_STATE);
    assertThat(stored().getNotifiedFiring()).isFalse();
  }

  @Test
  void anAlertWithoutKindOrJobIsRefusedAndChangesNothing() {
    ItemResult refused = raise(T0, Alert.newBuilder().setId("x").setJob("etl").build());
    assertThat(refused.getCode()).isEqualTo(ResultCode.INVALID);
    assertThat(refused.getMessage()).contains("kind");
    assertThat(store.alerts()).isEmpty();
    assertThat(mark("nope", 1, AlertState.FIRING).getCode()).isEqualTo(ResultCode.NOT_FOUND);
  }
}
