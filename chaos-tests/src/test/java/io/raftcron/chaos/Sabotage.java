package io.raftcron.chaos;

import io.raftcron.sm.Safeguards;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;

/**
 * The test-only switch that breaks a node on purpose, so that the suite can show its checkers are
 * able to fail: a jar holding {@link Provider}, a {@link Safeguards.TestOverride} found by the
 * node's ServiceLoader, is put on the class path of every node of a sabotaged cluster. No such jar
 * ships with raftcron. {@value #VARIABLE} names what to weaken: {@value #ACCEPT_DECIDED_SLOTS}
 * (the applier fires a slot that already has a decision) and/or {@value #ACCEPT_STALE_TOKENS} (it
 * accepts a completion under any lease token).
 */
final class Sabotage {
  static final String VARIABLE = "RAFTCRON_SABOTAGE";
  static final String ACCEPT_DECIDED_SLOTS = "accept-decided-slots";
  static final String ACCEPT_STALE_TOKENS = "accept-stale-tokens";

  private Sabotage() {}

  /** Runs inside a sabotaged node. */
  public static final class Provider implements Safeguards.TestOverride {
    @Override
    public Safeguards safeguards() {
      Set<String> weakened = Set.of(System.getenv().getOrDefault(VARIABLE, "").split(","));
      return new Safeguards(!weakened.contains(ACCEPT_DECIDED_SLOTS), !weakened.contains(ACCEPT_STALE_TOKENS));
    }
  }

  /** Writes the override jar (the compiled provider and its service file) under {@code dir}. */
  static Path jar(Path dir) {
    Path jar = dir.resolve("sabotage.jar");
    String classFile = Provider.class.getName().replace('.', '/') + ".class";
    try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry("META-INF/services/" + Safeguards.TestOverride.class.getName()));
      out.write((Provider.class.getName() + "\n").getBytes(StandardCharsets.UTF_8));
      out.putNextEntry(new JarEntry(classFile));
      try (var in = Sabotage.class.getClassLoader().getResourceAsStream(classFile)) {
        if (in == null) {
          throw new IllegalStateException(classFile + " is not on the test class path");
        }
        in.transferTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return jar;
  }
}
