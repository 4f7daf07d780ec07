package io.raftcron.server.http;

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

  /** {@code {"code": "...", "message": "..."}}. */
  static HttpReply error(int status, String code, String message) {
    return json(status, JsonStrings.object("code", code, "message", message));
  }
}
