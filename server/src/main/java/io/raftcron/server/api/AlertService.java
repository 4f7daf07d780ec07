package io.raftcron.server.api;

import io.grpc.stub.StreamObserver;
import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertServiceGrpc;
import io.raftcron.proto.AlertState;
import io.raftcron.proto.ListAlertsRequest;
import io.raftcron.proto.ListAlertsResponse;
import io.raftcron.sm.store.SchedulerStore;
import java.util.Comparator;

/** The built-in alerts from the replicated state: firing ones first, then newest first. */
public final class AlertService extends AlertServiceGrpc.AlertServiceImplBase {
  private static final Comparator<Alert> FIRING_THEN_NEWEST =
      Comparator.<Alert, Boolean>comparing(a -> a.getState() != AlertState.FIRING)
          .thenComparing(Comparator.comparingLong(Alert::getRaisedIndex).reversed());

  private final Gateway gateway;
  private final SchedulerStore store;

  public AlertService(Gateway gateway, SchedulerStore store) {
    this.gateway = gateway;
    this.store = store;
  }

  @Override
  public void listAlerts(ListAlertsRequest request, StreamObserver<ListAlertsResponse> out) {
    gateway.read(
        request.getStale(),
        out,
        () ->
            ListAlertsResponse.newBuilder()
                .addAllAlerts(
                    store.alerts().stream()
                        .filter(a -> request.getIncludeResolved() || a.getState() == AlertState.FIRING)
                        .sorted(FIRING_THEN_NEWEST)
                        .toList())
                .build());
  }
}
