package io.raftcron.server.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;

/** A JSON object of string fields, printed (and so escaped) by JsonFormat. */
final class JsonStrings {
  private JsonStrings() {}

  /** {@code object("code", "NOT_FOUND", "message", "…")} → {@code {"code": "NOT_FOUND", "message": "…"}}. */
  static String object(String... keysAndValues) {
    Struct.Builder struct = Struct.newBuilder();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      struct.putFields(keysAndValues[i], Value.newBuilder().setStringValue(keysAndValues[i + 1]).build());
    }
    try {
      return JsonFormat.printer().print(struct);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a Struct of strings always prints", e);
    }
  }
}
