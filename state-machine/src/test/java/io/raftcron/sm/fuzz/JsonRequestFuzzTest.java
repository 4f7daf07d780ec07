package io.raftcron.sm.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.raftcron.proto.CreateJobRequest;
import io.raftcron.proto.ListRunsRequest;
import io.raftcron.proto.PollRunsRequest;
import io.raftcron.proto.TriggerJobRequest;
import io.raftcron.proto.UpdateJobRequest;
import io.raftcron.sm.schedule.JobSpecValidator;
import java.util.List;

/**
 * Request bodies of the JSON API (protobuf's JSON form): any text either parses or is refused
 * with InvalidProtocolBufferException (the HTTP layer's 400), and a parsed job spec can be
 * validated without an exception.
 */
class JsonRequestFuzzTest {
  private static final List<Message> REQUESTS = List.of(
      CreateJobRequest.getDefaultInstance(),
      UpdateJobRequest.getDefaultInstance(),
      TriggerJobRequest.getDefaultInstance(),
      ListRunsRequest.getDefaultInstance(),
      PollRunsRequest.getDefaultInstance());

  @FuzzTest(maxDuration = "30s")
  void jsonBodiesParseOrAreRefused(byte kind, String json) {
    Message.Builder builder = REQUESTS.get(Math.floorMod(kind, REQUESTS.size())).newBuilderForType();
    try {
      JsonFormat.parser().merge(json, builder);
    } catch (InvalidProtocolBufferException refused) {
      return;
    }
    Message request = builder.build();
    if (request instanceof CreateJobRequest create) {
      JobSpecValidator.problems(create.getSpec());
    } else if (request instanceof UpdateJobRequest update) {
      JobSpecValidator.problems(update.getSpec());
    }
  }
}
