package io.raftcron.server.http;

import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an API body must be beyond what protobuf's JSON parser checks: its Gson reader is lenient,
 * so it took a second value after the first ({@code {"name":"test"} {"name":"prod"}}), a key given
 * twice (the last one won), comments, single quotes and unquoted names. A body meant for one job
 * must not reach another.
 */
final class StrictJson {
  private static final Pattern POSITION = Pattern.compile("line \\d+ column \\d+");

  private StrictJson() {}

  /** Why {@code json} is not exactly one strict JSON value without repeated keys, or null. */
  static String problem(String json) {
    try (JsonReader reader = new JsonReader(new StringReader(json))) {
      reader.setStrictness(Strictness.STRICT);
      Deque<Set<String>> keys = new ArrayDeque<>(); // of each object open around the reader
      int depth = 0;
      do {
        switch (reader.peek()) {
          case BEGIN_OBJECT -> {
            reader.beginObject();
            keys.push(new HashSet<>());
            depth++;
          }
          case END_OBJECT -> {
            reader.endObject();
            keys.pop();
            depth--;
          }
          case BEGIN_ARRAY -> {
            reader.beginArray();
            depth++;
          }
          case END_ARRAY -> {
            reader.endArray();
            depth--;
          }
          case NAME -> {
            String key = reader.nextName();
            if (!keys.peek().add(key)) {
              return "the key \"" + (key.length() <= 64 ? key : key.substring(0, 64) + "…") + "\" appears twice in one object";
            }
          }
          default -> reader.skipValue();
        }
      } while (depth > 0);
      return endsHere(reader) ? null : "more follows the JSON value" + where(reader.toString());
    } catch (IOException | IllegalStateException e) {
      return "malformed JSON" + where(e.getMessage())
          + " (one value; names and strings in double quotes; no comments, no trailing commas)";
    }
  }

  private static boolean endsHere(JsonReader reader) throws IOException {
    try {
      return reader.peek() == JsonToken.END_DOCUMENT;
    } catch (MalformedJsonException e) { // a strict reader refuses to read a second value
      return false;
    }
  }

  /** " at line L column C" from a Gson message or a reader's description, or "". */
  private static String where(String text) {
    Matcher at = POSITION.matcher(String.valueOf(text));
    return at.find() ? " at " + at.group() : "";
  }
}
