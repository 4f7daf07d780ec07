package io.raftcron.sm.applier;

import io.raftcron.proto.CommandResult;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.Job;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.Run;

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

  static ItemResult itemRefused(ResultCode code, String message) {
    return ItemResult.newBuilder().setCode(code).setMessage(message).build();
  }
}
