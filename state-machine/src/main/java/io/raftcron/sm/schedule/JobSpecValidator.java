package io.raftcron.sm.schedule;

import io.raftcron.proto.DstGapPolicy;
import io.raftcron.proto.DstOverlapPolicy;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.OverlapPolicy;
import io.raftcron.proto.RetentionPolicy;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.sm.Limits;
import io.raftcron.sm.Times;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Validates a JobSpec at the API edge and again in the applier. Deterministic: the result depends only
 * on the spec (and the JVM's time-zone database), so every replica reaches the same verdict.
 */
public final class JobSpecValidator {
  static final int MAX_COMMAND_BYTES = 16 * 1024;
  static final int MAX_ENV_VARS = 64;
  static final int MAX_ENV_KEY_LENGTH = 128;
  static final int MAX_ENV_VALUE_BYTES = 4096;
  static final int MAX_WORKING_DIR_BYTES = 4096;
  static final Duration MAX_CATCHUP_WINDOW = Duration.ofDays(7);
  static final int MAX_CATCHUP = 10_000;
  static final Duration MAX_TIMEOUT = Duration.ofDays(30);
  static final int MAX_ATTEMPTS = 100;
  static final Duration MAX_BACKOFF = Duration.ofDays(1);
  static final double MAX_MULTIPLIER = 100;
  static final int MAX_KEEP_LAST = 1_000_000;
  static final Duration MAX_KEEP_FOR = Duration.ofDays(3650);

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern SHELL_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String NAME_RULE =
      "a DNS label is 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";

  private JobSpecValidator() {}

  /** Returns the list of problems, empty if valid. Each message names the field and what is allowed. */
  public static List<String> problems(JobSpec spec) {
    List<String> problems = new ArrayList<>();
    int size = spec.getSerializedSize();
    if (size > Limits.MAX_SPEC_BYTES) {
      problems.add("the job spec is " + size + " bytes: at most " + Limits.MAX_SPEC_BYTES + " (64 KiB) are allowed");
    }
    checkName(spec.getName(), problems);
    checkSchedule(spec, problems);
    checkExecutor(spec, problems);
    checkCatchupWindow(spec, problems);
    checkMisfire(spec, problems);
    checkPolicies(spec, problems);
    checkRetry(spec, problems);
    checkBounds(spec, problems);
    checkRetention(spec, problems);
    return problems;
  }

  private static void checkName(String name, List<String> problems) {
    if (name.isEmpty()) {
      problems.add("name is required: " + NAME_RULE);
    } else if (!DNS_LABEL.matcher(name).matches()) {
      problems.add("name '" + name + "' is not a DNS label: " + NAME_RULE);
    }
  }

  private static void checkSchedule(JobSpec spec, List<String> problems) {
    String zone = spec.getTimeZone();
    try {
      Schedule.parseZone(zone);
    } catch (InvalidScheduleException e) {
      problems.add("time_zone: " + e.getMessage());
      zone = ""; // still report problems in the schedule itself
    }
    try {
      Schedule.parse(spec.getSchedule(), zone);
    } catch (InvalidScheduleException e) {
      problems.add("schedule: " + e.getMessage());
    }
  }

  private static void checkExecutor(JobSpec spec, List<String> problems) {
    if (spec.getExecutor().getKindCase() != Executor.KindCase.SHELL) {
      problems.add("executor is required: set executor.shell");
      return;
    }
    ShellExecutor shell = spec.getExecutor().getShell();
    if (shell.getCommand().isBlank()) {
      problems.add("executor.shell.command must not be empty");
    }
    int bytes = shell.getCommandBytes().size();
    if (bytes > MAX_COMMAND_BYTES) {
      problems.add("executor.shell.command is " + bytes + " bytes: at most " + MAX_COMMAND_BYTES
          + " (16 KiB) are allowed");
    }
    if (shell.getEnvCount() > MAX_ENV_VARS) {
      problems.add("executor.shell.env has " + shell.getEnvCount() + " variables: at most " + MAX_ENV_VARS
          + " are allowed");
    }
    if (shell.getWorkingDirBytes().size() > MAX_WORKING_DIR_BYTES) {
      problems.add("executor.shell.working_dir is " + shell.getWorkingDirBytes().size() + " bytes: at most "
          + MAX_WORKING_DIR_BYTES + " are allowed");
    }
    // Sorted so that the messages come out in the same order on every replica.
    for (String key : new TreeSet<>(shell.getEnvMap().keySet())) {
      if (key.length() > MAX_ENV_KEY_LENGTH) {
        problems.add("executor.shell.env key '" + abbreviate(key) + "' is " + key.length() + " characters: at most "
            + MAX_ENV_KEY_LENGTH + " are allowed");
      } else if (!SHELL_IDENTIFIER.matcher(key).matches()) {
        problems.add("executor.shell.env key '" + key + "' is not a shell identifier: use letters, digits"
            + " and '_', not starting with a digit");
      }
      int valueBytes = shell.getEnvMap().get(key).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      if (valueBytes > MAX_ENV_VALUE_BYTES) {
        problems.add("executor.shell.env value of '" + abbreviate(key) + "' is " + valueBytes + " bytes: at most "
            + MAX_ENV_VALUE_BYTES + " are allowed");
      }
    }
    for (String secret : new TreeSet<>(shell.getSecretEnvList())) {
      if (!shell.getEnvMap().containsKey(secret)) {
        problems.add("executor.shell.secret_env names '" + abbreviate(secret) + "', which is not a key of executor.shell.env");
      }
    }
  }

  private static void checkCatchupWindow(JobSpec spec, List<String> problems) {
    if (!spec.hasCatchupWindow()) {
      return;
    }
    com.google.protobuf.Duration window = spec.getCatchupWindow();
    boolean inRange;
    try {
      Duration d = Duration.ofSeconds(window.getSeconds(), window.getNanos());
      inRange = !d.isNegative() && d.compareTo(MAX_CATCHUP_WINDOW) <= 0;
    } catch (ArithmeticException e) { // seconds near the long limits: certainly out of range
      inRange = false;
    }
    if (!inRange) {
      problems.add("catchup_window of " + window.getSeconds() + "s " + window.getNanos()
          + "ns is out of range: it must be from 0 to 7 days, or unset for the default of one hour");
    }
  }

  private static void checkMisfire(JobSpec spec, List<String> problems) {
    if (spec.getMisfire() == MisfirePolicy.UNRECOGNIZED) {
      problems.add("misfire value " + spec.getMisfireValue()
          + " is not recognized: use FIRE_ALL, SKIP, FIRE_ONCE or leave it unset (FIRE_ALL)");
    }
    if (spec.getMaxCatchup() < 0 || spec.getMaxCatchup() > MAX_CATCHUP) {
      problems.add("max_catchup " + spec.getMaxCatchup() + " is out of range: it must be from 1 to "
          + MAX_CATCHUP + ", or 0 for the default of 1000");
    }
  }

  private static void checkPolicies(JobSpec spec, List<String> problems) {
    if (spec.getOverlap() == OverlapPolicy.UNRECOGNIZED) {
      problems.add("overlap value " + spec.getOverlapValue()
          + " is not recognized: use ALLOW, FORBID, BUFFER_ONE, REPLACE or leave it unset (ALLOW)");
    }
    if (spec.getDstGap() == DstGapPolicy.UNRECOGNIZED) {
      problems.add("dst_gap value " + spec.getDstGapValue()
          + " is not recognized: use DST_SHIFT, DST_SKIP or leave it unset (DST_SHIFT)");
    }
    if (spec.getDstOverlap() == DstOverlapPolicy.UNRECOGNIZED) {
      problems.add("dst_overlap value " + spec.getDstOverlapValue()
          + " is not recognized: use DST_ONCE, DST_TWICE or leave it unset");
    }
  }

  private static void checkRetry(JobSpec spec, List<String> problems) {
    if (spec.hasTimeout()) {
      checkDuration("timeout", spec.getTimeout(), Duration.ZERO, MAX_TIMEOUT,
          "from 0 (no limit) to 30 days", problems);
    }
    if (!spec.hasRetry()) {
      return;
    }
    RetryPolicy retry = spec.getRetry();
    if (retry.getMaxAttempts() < 0 || retry.getMaxAttempts() > MAX_ATTEMPTS) {
      problems.add("retry.max_attempts " + retry.getMaxAttempts() + " is out of range: it must be from 1 to "
          + MAX_ATTEMPTS + " (0 or 1: no retry)");
    }
    Duration initial = null;
    if (retry.hasInitialBackoff()) {
      initial = checkDuration("retry.initial_backoff", retry.getInitialBackoff(), Duration.ZERO, MAX_BACKOFF,
          "from 0 to 1 day", problems);
    }
    if (retry.hasMaxBackoff()) {
      Duration max = checkDuration("retry.max_backoff", retry.getMaxBackoff(), Duration.ZERO, MAX_BACKOFF,
          "from 0 to 1 day", problems);
      if (initial != null && max != null && max.compareTo(initial) < 0) {
        problems.add("retry.max_backoff " + human(max) + " is shorter than retry.initial_backoff " + human(initial));
      }
    }
    if (retry.getMultiplier() != 0 && !(retry.getMultiplier() >= 1 && retry.getMultiplier() <= MAX_MULTIPLIER)) {
      problems.add("retry.multiplier " + retry.getMultiplier() + " is out of range: it must be from 1 to "
          + (int) MAX_MULTIPLIER + ", or 0 for the default of 2");
    }
    if (!(retry.getJitter() >= 0 && retry.getJitter() <= 1)) {
      problems.add("retry.jitter " + retry.getJitter()
          + " is out of range: it is a fraction of the backoff from 0 to 1 (default 0.2)");
    }
  }

  private static void checkBounds(JobSpec spec, List<String> problems) {
    Instant start = spec.hasStartAt() ? checkTimestamp("start_at", spec.getStartAt(), problems) : null;
    Instant end = spec.hasEndAt() ? checkTimestamp("end_at", spec.getEndAt(), problems) : null;
    if (start != null && end != null && !end.isAfter(start)) {
      problems.add("end_at " + end + " is not after start_at " + start + ": no slot could fire");
    }
  }

  private static void checkRetention(JobSpec spec, List<String> problems) {
    if (!spec.hasRetention()) {
      return;
    }
    RetentionPolicy retention = spec.getRetention();
    if (retention.getKeepLast() < 0 || retention.getKeepLast() > MAX_KEEP_LAST) {
      problems.add("retention.keep_last " + retention.getKeepLast() + " is out of range: it must be from 1 to "
          + MAX_KEEP_LAST + ", or 0 for the default of 1000");
    }
    if (retention.hasKeepFor()) {
      checkDuration("retention.keep_for", retention.getKeepFor(), Duration.ZERO, MAX_KEEP_FOR,
          "from 0 to 3650 days", problems);
    }
  }

  /** The duration if it is a proper one inside [min, max]; otherwise reports it and returns null. */
  private static Duration checkDuration(String field, com.google.protobuf.Duration value, Duration min,
      Duration max, String allowed, List<String> problems) {
    Duration d = null;
    try {
      if (value.getNanos() >= 0 && value.getNanos() < 1_000_000_000) {
        d = Duration.ofSeconds(value.getSeconds(), value.getNanos());
      }
    } catch (ArithmeticException e) {
      d = null;
    }
    if (d == null || d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      problems.add(field + " of " + value.getSeconds() + "s " + value.getNanos() + "ns is out of range: it must be "
          + allowed);
      return null;
    }
    return d;
  }

  private static Instant checkTimestamp(String field, com.google.protobuf.Timestamp value, List<String> problems) {
    String problem = Times.rangeProblem(field, value);
    if (problem != null) {
      problems.add(problem);
      return null;
    }
    return Times.toInstant(value);
  }

  /** Echoes at most 64 characters of a value back in a message. */
  private static String abbreviate(String value) {
    return value.length() <= 64 ? value : value.substring(0, 64) + "…";
  }

  private static String human(Duration d) {
    return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
  }
}
