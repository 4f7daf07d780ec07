package io.raftcron.sm.schedule;

import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.ShellExecutor;
import java.time.Duration;
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
  static final Duration MAX_CATCHUP_WINDOW = Duration.ofDays(7);

  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  private static final Pattern SHELL_IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final String NAME_RULE =
      "a DNS label is 1-63 characters of a-z, 0-9 and '-', starting and ending with a letter or digit";

  private JobSpecValidator() {}

  /** Returns the list of problems, empty if valid. Each message names the field and what is allowed. */
  public static List<String> problems(JobSpec spec) {
    List<String> problems = new ArrayList<>();
    checkName(spec.getName(), problems);
    checkSchedule(spec, problems);
    checkExecutor(spec, problems);
    checkCatchupWindow(spec, problems);
    checkMisfire(spec, problems);
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
    // Sorted so that the messages come out in the same order on every replica.
    for (String key : new TreeSet<>(shell.getEnvMap().keySet())) {
      if (!SHELL_IDENTIFIER.matcher(key).matches()) {
        problems.add("executor.shell.env key '" + key + "' is not a shell identifier: use letters, digits"
            + " and '_', not starting with a digit");
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
          + " is not recognized: use FIRE_ALL, SKIP or leave it unset (FIRE_ALL)");
    }
  }
}
