package io.raftcron.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The bearer tokens a node accepts, read from {@code server --auth-tokens FILE}. One token per
 * line, stored as its SHA-256 so that the file does not hold the secrets:
 *
 * <pre>
 * # sha256:HEX              name   role      [worker-id]
 * sha256:9f86d081884c7d65...  alice  operator
 * sha256:60303ae22b998861...  w1     worker    w1
 * </pre>
 *
 * Blank lines and lines starting with '#' are ignored. {@link #line} makes a line.
 */
public final class TokenFile {
  private static final String PREFIX = "sha256:";
  private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

  private record Entry(byte[] hash, Principal principal) {}

  private final List<Entry> entries;

  private TokenFile(List<Entry> entries) {
    this.entries = List.copyOf(entries);
  }

  /** Reads and checks the file; a malformed line is an error naming the file and the line. */
  public static TokenFile read(Path file) throws IOException {
    return parse(Files.readAllLines(file, StandardCharsets.UTF_8), file.toString());
  }

  static TokenFile parse(List<String> lines, String source) {
    List<Entry> entries = new ArrayList<>();
    Set<String> hashes = new HashSet<>();
    for (int i = 0; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      try {
        Entry entry = entry(line);
        if (!hashes.add(HexFormat.of().formatHex(entry.hash()))) {
          throw new IllegalArgumentException("the same token is listed twice");
        }
        entries.add(entry);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(source + " line " + (i + 1) + ": " + e.getMessage()
            + " (expected 'sha256:HEX NAME ROLE [WORKER-ID]'; make lines with 'raftcron auth hash-token')");
      }
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException(source + " lists no token: nobody could call this node");
    }
    return new TokenFile(entries);
  }

  private static Entry entry(String line) {
    String[] fields = line.split("\\s+");
    if (fields.length < 3 || fields.length > 4) {
      throw new IllegalArgumentException("has " + fields.length + " fields");
    }
    if (!fields[0].startsWith(PREFIX) || !HEX.matcher(fields[0].substring(PREFIX.length())).matches()) {
      throw new IllegalArgumentException("'" + fields[0] + "' is not sha256: and 64 lower-case hex digits");
    }
    String name = checkedName("name", fields[1]);
    Role role = Role.parse(fields[2]);
    String workerId = fields.length == 4 ? checkedName("worker id", fields[3]) : "";
    if (role == Role.WORKER && workerId.isEmpty()) {
      throw new IllegalArgumentException("a worker token must name the worker id it may act as");
    }
    if (role != Role.WORKER && !workerId.isEmpty()) {
      throw new IllegalArgumentException("only a worker token is bound to a worker id");
    }
    byte[] hash = HexFormat.of().parseHex(fields[0].substring(PREFIX.length()));
    return new Entry(hash, new Principal(name, role, workerId));
  }

  private static String checkedName(String what, String value) {
    if (!NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(what + " '" + value + "' must be 1-64 of A-Z a-z 0-9 . _ @ -");
    }
    return value;
  }

  /**
   * The principal of {@code token}, if listed. Compares the hash with every entry in constant
   * time and never stops early, so timing tells nothing about which bytes matched.
   */
  public Optional<Principal> authenticate(String token) {
    byte[] hash = sha256(token);
    Principal found = null;
    for (Entry entry : entries) {
      if (MessageDigest.isEqual(hash, entry.hash())) {
        found = entry.principal();
      }
    }
    return Optional.ofNullable(found);
  }

  /** A line of the file for {@code token}. */
  public static String line(String token, String name, Role role, String workerId) {
    String line = PREFIX + HexFormat.of().formatHex(sha256(token)) + " " + name + " " + role.label()
        + (workerId == null || workerId.isEmpty() ? "" : " " + workerId);
    entry(line); // the same checks as when the file is read
    return line;
  }

  /** A new random token: 32 bytes from a SecureRandom, base64url. */
  public static String newToken() {
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
