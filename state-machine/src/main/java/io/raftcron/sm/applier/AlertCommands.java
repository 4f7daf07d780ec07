package io.raftcron.sm.applier;

import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertKind;
import io.raftcron.proto.AlertNotice;
import io.raftcron.proto.AlertState;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.MarkAlertsNotified;
import io.raftcron.proto.RaiseAlerts;
import io.raftcron.proto.ResolveAlerts;
import io.raftcron.proto.ResultCode;
import io.raftcron.sm.Times;
import java.util.Optional;

/**
 * Built-in alerts: the leader detects and decides, the entry records. One record per alert id;
 * each raise starts a new episode (its log index), whose FIRING and RESOLVED webhook deliveries
 * are marked once the leader has sent them, so a new leader sends only what was not delivered.
 */
final class AlertCommands {
  private AlertCommands() {}

  static CommandResult raise(ApplyContext ctx, RaiseAlerts raise) {
    return Results.forEach(raise.getAlertsList(), alert -> raiseOne(ctx, alert));
  }

  private static ItemResult raiseOne(ApplyContext ctx, Alert alert) {
    if (alert.getId().isEmpty() || alert.getJob().isEmpty()
        || alert.getKind() == AlertKind.ALERT_KIND_UNSPECIFIED || alert.getKind() == AlertKind.UNRECOGNIZED) {
      return Results.itemRefused(ResultCode.INVALID, "an alert needs an id, a kind and a job");
    }
    Optional<Alert> existing = ctx.batch().alert(alert.getId());
    if (existing.isPresent() && existing.get().getState() == AlertState.FIRING) {
      return Results.itemRefused(ResultCode.ALREADY_EXISTS, "alert " + alert.getId() + " is already firing");
    }
    ctx.batch().putAlert(
        alert.toBuilder()
            .setState(AlertState.FIRING)
            .setSince(Times.toTimestamp(ctx.leaderTime()))
            .clearResolvedAt()
            .setRaisedIndex(ctx.index())
            .setNotifiedFiring(false)
            .setNotifiedResolved(false)
            .build());
    return Results.itemOk(alert.getId());
  }

  static CommandResult resolve(ApplyContext ctx, ResolveAlerts resolve) {
    return Results.forEach(resolve.getIdsList(), id -> resolveOne(ctx, id));
  }

  private static ItemResult resolveOne(ApplyContext ctx, String id) {
    Optional<Alert> existing = ctx.batch().alert(id);
    if (existing.isEmpty()) {
      return Results.itemRefused(ResultCode.NOT_FOUND, "alert " + id + " does not exist");
    }
    if (existing.get().getState() != AlertState.FIRING) {
      return Results.itemRefused(ResultCode.WRONG_STATE, "alert " + id + " is not firing");
    }
    ctx.batch().putAlert(
        existing.get().toBuilder()
            .setState(AlertState.RESOLVED)
            .setResolvedAt(Times.toTimestamp(ctx.leaderTime()))
            .build());
    return Results.itemOk(id);
  }

  static CommandResult markNotified(ApplyContext ctx, MarkAlertsNotified mark) {
    return Results.forEach(mark.getNoticesList(), notice -> markOne(ctx, notice));
  }

  private static ItemResult markOne(ApplyContext ctx, AlertNotice notice) {
    Optional<Alert> existing = ctx.batch().alert(notice.getId());
    if (existing.isEmpty()) {
      return Results.itemRefused(ResultCode.NOT_FOUND, "alert " + notice.getId() + " does not exist");
    }
    Alert alert = existing.get();
    if (alert.getRaisedIndex() != notice.getRaisedIndex()) {
      return Results.itemRefused(
          ResultCode.WRONG_STATE, "alert " + notice.getId() + " fired again since that notification");
    }
    switch (notice.getState()) {
      case FIRING -> ctx.batch().putAlert(alert.toBuilder().setNotifiedFiring(true).build());
      case RESOLVED -> {
        if (alert.getState() != AlertState.RESOLVED) {
          return Results.itemRefused(ResultCode.WRONG_STATE, "alert " + notice.getId() + " is not resolved");
        }
        ctx.batch().putAlert(alert.toBuilder().setNotifiedResolved(true).build());
      }
      default -> {
        return Results.itemRefused(ResultCode.INVALID, "a notice is for FIRING or RESOLVED");
      }
    }
    return Results.itemOk(notice.getId());
  }
}
