package io.raftcron.server.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/** The web UI's static files, read from the server's resources under {@code ui/}. */
final class UiFiles {
  /** Flat names only: no folders, so no path can climb out of ui/. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*\\.(html|css|js|png|svg)");

  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "png", "image/png",
          "svg", "image/svg+xml");

  private final Map<String, Optional<HttpReply>> cache = new ConcurrentHashMap<>();

  /** The file {@code name} (e.g. "app.js"), or empty when there is none. */
  Optional<HttpReply> get(String name) {
    if (!NAME.matcher(name).matches()) {
      return Optional.empty();
    }
    return cache.computeIfAbsent(name, UiFiles::load);
  }

  private static Optional<HttpReply> load(String name) {
    try (InputStream in = UiFiles.class.getClassLoader().getResourceAsStream("ui/" + name)) {
      if (in == null) {
        return Optional.empty();
      }
      String type = TYPES.get(name.substring(name.lastIndexOf('.') + 1));
      return Optional.of(new HttpReply(200, type, in.readAllBytes()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the UI resource " + name, e);
    }
  }
}
