package io.raftcron.server.metrics;

import io.raftcron.proto.Command;
import io.raftcron.proto.CommandResult;
import io.raftcron.proto.Completion;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import io.raftcron.sm.applier.Applier;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** What an applied entry did to runs, read from its command and result (identical on every node). */
final class AppliedRuns {
  static final Set<RunState> FINAL =
      Set.of(RunState.SUCCEEDED, RunState.FAILED, RunState.TIMED_OUT, RunState.CANCELLED, RunState.SKIPPED);

  /** A completion that changed its run, with the run as it is after it. */
  record Completed(Completion completion, Run run) {}

  private AppliedRuns() {}

  /** Completions the entry recorded (a duplicate report or a refused one is not among them). */
  static List<Completed> completed(Command command, CommandResult result) {
    List<Completed> completed = new ArrayList<>();
    if (command.getOpCase() != Command.OpCase.COMPLETE_RUNS) {
      return completed;
    }
    List<Completion> completions = command.getCompleteRuns().getCompletionsList();
    for (int i = 0; i < Math.min(completions.size(), result.getItemsCount()); i++) {
      ItemResult item = result.getItems(i);
      if (item.getCode() == ResultCode.OK && !Applier.ALREADY_RECORDED.equals(item.getMessage())) {
        completed.add(new Completed(completions.get(i), item.getRun()));
      }
    }
    return completed;
  }

  /** Runs the entry cancelled outright (a user's cancel, or a lease expiring with a cancel pending). */
  static List<Run> cancelled(Command command, CommandResult result) {
    if (command.getOpCase() != Command.OpCase.EXPIRE_LEASES && command.getOpCase() != Command.OpCase.CANCEL_RUN) {
      return List.of();
    }
    return result.getItemsList().stream()
        .filter(i -> i.getCode() == ResultCode.OK && i.getRun().getState() == RunState.CANCELLED)
        .map(ItemResult::getRun)
        .toList();
  }

  /** Runs that reached a final state in this entry, by completion or cancel. */
  static List<Run> finished(Command command, CommandResult result) {
    List<Run> finished = new ArrayList<>();
    completed(command, result).stream().map(Completed::run).filter(r -> FINAL.contains(r.getState())).forEach(finished::add);
    finished.addAll(cancelled(command, result));
    return finished;
  }
}
