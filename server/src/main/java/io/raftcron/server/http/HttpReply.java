package io.raftcron.server.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;

/** One HTTP answer: status, content type and body. */
record HttpReply(int status, String contentType, byte[] body) {
  static final String JSON = "application/json; charset=utf-8";
  static final String TEXT = "text/plain; charset=utf-8";

  static HttpReply json(int status, String json) {
    return new HttpReply(status, JSON, json.getBytes(StandardCharsets.UTF_8));
  }

  static HttpReply text(int status, String text) {
    return new HttpReply(status, TEXT, text.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code {"code": "...", "message": "..."}}, printed by JsonFormat so that it is escaped. */
  static HttpReply error(int status, String code, String message) {
    Struct body =
        Struct.newBuilder()
            .putFields("code", Value.newBuilder().setStringValue(code).build())
            .putFields("message", Value.newBuilder().setStringValue(message).build())
            .build();
    try {
      return json(status, JsonFormat.printer().print(body));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("a Struct of strings always prints", e);
    }
  }
}
