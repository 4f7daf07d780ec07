package io.raftcron.cli;

import com.google.protobuf.util.Timestamps;
import io.raftcron.client.RaftcronClient;
import io.raftcron.proto.Alert;
import io.raftcron.proto.AlertState;
import io.raftcron.proto.ListAlertsResponse;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "alerts",
    description = "The built-in alerts (stuck runs, failing jobs, missed slots, no workers): firing ones, or all with --all.")
final class AlertsCommand extends ClientCommand {
  @Option(names = "--all", description = "Also list resolved alerts.")
  boolean all;

  @Override
  void run(RaftcronClient client) {
    List<Alert> alerts = client.listAlerts(all);
    print(ListAlertsResponse.newBuilder().addAllAlerts(alerts).build(), out -> {
      if (alerts.isEmpty()) {
        out.println(all ? "no alerts" : "no alerts firing");
        return;
      }
      Table table = new Table("STATE", "KIND", "JOB", "SINCE", "RESOLVED", "RUN", "DETAIL");
      for (Alert alert : alerts) {
        table.row(
            alert.getState().name(),
            alert.getKind().name(),
            alert.getJob(),
            Timestamps.toString(alert.getSince()),
            alert.getState() == AlertState.RESOLVED ? Timestamps.toString(alert.getResolvedAt()) : "-",
            alert.getRunId().isEmpty() ? "-" : alert.getRunId(),
            alert.getDetail());
      }
      table.print(out);
    });
  }
}
