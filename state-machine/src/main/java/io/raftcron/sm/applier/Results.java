package io.raftcron.sm.applier;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;
import java.util.function.Function;

/** Shorthands for the results handlers return. */
final class Results {
  private Results() {}

  static CommandResult ok(Job job) {
    return CommandResult.newBuilder().setCode(ResultCode.OK).setJob(job).build();
  }

  static CommandResult ok() {
    return CommandResult.newBuilder().setCode(ResultCode.OK).build();
  }

  static CommandResult refused(ResultCode code, String message) {
    return CommandResult.newBuilder().setCode(code).setMessage(message).build();
  }

  static ItemResult item(Run run) {
    return ItemResult.newBuilder().setCode(ResultCode.OK).setRun(run).build();
  }

  static ItemResult itemOk() {
    return ItemResult.newBuilder().setCode(ResultCode.OK).build();
  }

  static ItemResult itemOk(String message) {
    return ItemResult.newBuilder().setCode(ResultCode.OK).setMessage(message).build();
  }

  static ItemResult itemRefused(ResultCode code, String message) {
    return ItemResult.newBuilder().setCode(code).setMessage(message).build();
  }

  static CommandResult noSuchJob(String name) {
    return refused(ResultCode.NOT_FOUND, "job '" + name + "' does not exist");
  }

  static ItemResult noSuchRun(String runId) {
    return itemRefused(ResultCode.NOT_FOUND, "run '" + runId + "' does not exist");
  }

  /** An OK result with one item per element of {@code items}, in order. */
  static <T> CommandResult forEach(Iterable<T> items, Function<T, ItemResult> action) {
    CommandResult.Builder result = CommandResult.newBuilder().setCode(ResultCode.OK);
    for (T item : items) {
      result.addItems(action.apply(item));
    }
    return result.build();
  }
}
