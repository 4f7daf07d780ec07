package io.raftcron.sm.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.ShellExecutor;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JobSpecValidatorTest {

  private static JobSpec.Builder valid() {
    return JobSpec.newBuilder()
        .setName("nightly-backup")
        .setSchedule("30 2 * * *")
        .setTimeZone("Europe/Berlin")
        .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("echo hi")));
  }

  private static JobSpec.Builder withShell(ShellExecutor.Builder shell) {
    return valid().setExecutor(Executor.newBuilder().setShell(shell));
  }

  private static com.google.protobuf.Duration seconds(long s, int nanos) {
    return com.google.protobuf.Duration.newBuilder().setSeconds(s).setNanos(nanos).build();
  }

  @Test
  void aCompleteSpecHasNoProblems() {
    assertThat(JobSpecValidator.problems(valid().build())).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "0", "a-b", "job-1", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123"})
  void dnsLabelNamesAreAccepted(String name) {
    assertThat(JobSpecValidator.problems(valid().setName(name).build())).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(strings = {"Backup", "-a", "a-", "a_b", "a.b", "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij1234"})
  void namesThatAreNotDnsLabelsAreRejected(String name) {
    assertThat(JobSpecValidator.problems(valid().setName(name).build()))
        .containsExactly("name '" + name + "' is not a DNS label: a DNS label is 1-63 characters of a-z, 0-9"
            + " and '-', starting and ending with a letter or digit");
  }

  @Test
  void aMissingNameIsReported() {
    assertThat(JobSpecValidator.problems(valid().setName("").build()))
        .singleElement().asString().startsWith("name is required");
  }

  @Test
  void anInvalidScheduleIsReportedUnderSchedule() {
    assertThat(JobSpecValidator.problems(valid().setSchedule("* * *").build()))
        .singleElement().asString().startsWith("schedule: cron expression '* * *' has 3 fields");
  }

  @Test
  void anUnknownZoneIsReportedUnderTimeZoneAndTheScheduleIsStillChecked() {
    assertThat(JobSpecValidator.problems(valid().setTimeZone("Mars/Olympus").setSchedule("@sometimes").build()))
        .containsExactly(
            "time_zone: unknown time zone 'Mars/Olympus': use an IANA zone id such as Europe/Berlin or UTC",
            "schedule: unknown macro '@sometimes': use 5 cron fields (minute hour day-of-month month"
                + " day-of-week), 6 cron fields (second minute hour day-of-month month day-of-week), @yearly,"
                + " @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration> or"
                + " @at <RFC 3339 instant>");
  }

  @Test
  void aMissingExecutorIsReported() {
    assertThat(JobSpecValidator.problems(valid().clearExecutor().build()))
        .containsExactly("executor is required: set executor.shell");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "  \n"})
  void anEmptyShellCommandIsReported(String command) {
    assertThat(JobSpecValidator.problems(withShell(ShellExecutor.newBuilder().setCommand(command)).build()))
        .containsExactly("executor.shell.command must not be empty");
  }

  @Test
  void aShellCommandOfSixteenKibIsAccepted() {
    String command = "x".repeat(16 * 1024);
    assertThat(JobSpecValidator.problems(withShell(ShellExecutor.newBuilder().setCommand(command)).build()))
        .isEmpty();
  }

  @Test
  void aShellCommandOverSixteenKibInUtf8IsReported() {
    String command = "x".repeat(16 * 1024 - 1) + "é"; // 16385 bytes
    assertThat(JobSpecValidator.problems(withShell(ShellExecutor.newBuilder().setCommand(command)).build()))
        .containsExactly("executor.shell.command is 16385 bytes: at most 16384 (16 KiB) are allowed");
  }

  @Test
  void envKeysMustBeShellIdentifiers() {
    ShellExecutor.Builder shell = ShellExecutor.newBuilder().setCommand("env")
        .putEnv("_OK_1", "v").putEnv("1ST", "v").putEnv("A-B", "v");
    assertThat(JobSpecValidator.problems(withShell(shell).build())).containsExactly(
        "executor.shell.env key '1ST' is not a shell identifier: use letters, digits and '_', not starting"
            + " with a digit",
        "executor.shell.env key 'A-B' is not a shell identifier: use letters, digits and '_', not starting"
            + " with a digit");
  }

  @Test
  void sixtyFourEnvVarsAreAccepted() {
    ShellExecutor.Builder shell = ShellExecutor.newBuilder().setCommand("env");
    IntStream.range(0, 64).forEach(i -> shell.putEnv("V" + i, "x"));
    assertThat(JobSpecValidator.problems(withShell(shell).build())).isEmpty();
  }

  @Test
  void moreThanSixtyFourEnvVarsAreReported() {
    ShellExecutor.Builder shell = ShellExecutor.newBuilder().setCommand("env");
    IntStream.range(0, 65).forEach(i -> shell.putEnv("V" + i, "x"));
    assertThat(JobSpecValidator.problems(withShell(shell).build()))
        .containsExactly("executor.shell.env has 65 variables: at most 64 are allowed");
  }

  @Test
  void catchupWindowsFromZeroToSevenDaysAreAccepted() {
    assertThat(JobSpecValidator.problems(valid().setCatchupWindow(seconds(0, 0)).build())).isEmpty();
    assertThat(JobSpecValidator.problems(valid().setCatchupWindow(seconds(7 * 86_400, 0)).build())).isEmpty();
  }

  @Test
  void aNegativeCatchupWindowIsReported() {
    assertThat(JobSpecValidator.problems(valid().setCatchupWindow(seconds(0, -1)).build()))
        .singleElement().asString().startsWith("catchup_window").contains("from 0 to 7 days");
  }

  @Test
  void aCatchupWindowOverSevenDaysIsReported() {
    assertThat(JobSpecValidator.problems(valid().setCatchupWindow(seconds(7 * 86_400, 1)).build()))
        .singleElement().asString().startsWith("catchup_window").contains("from 0 to 7 days");
  }

  @Test
  void aCatchupWindowAtTheLimitsOfLongIsReportedNotThrown() {
    assertThat(JobSpecValidator.problems(valid().setCatchupWindow(seconds(Long.MIN_VALUE, -1)).build()))
        .singleElement().asString().startsWith("catchup_window");
  }

  @ParameterizedTest
  @ValueSource(strings = {"FIRE_ALL", "SKIP", "FIRE_ONCE", "MISFIRE_POLICY_UNSPECIFIED"})
  void knownMisfirePoliciesAreAccepted(String policy) {
    assertThat(JobSpecValidator.problems(valid().setMisfire(MisfirePolicy.valueOf(policy)).build())).isEmpty();
  }

  @Test
  void anUnrecognizedMisfireValueIsReported() {
    assertThat(JobSpecValidator.problems(valid().setMisfireValue(7).build()))
        .containsExactly("misfire value 7 is not recognized: use FIRE_ALL, SKIP, FIRE_ONCE or leave it unset (FIRE_ALL)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    JobSpec spec = JobSpec.newBuilder().setName("Bad Name").setSchedule("").setMisfireValue(9).build();
    assertThat(JobSpecValidator.problems(spec)).hasSize(4);
  }

  // ---- the execution policies ----

  @Test
  void aSpecWithEveryPolicySetWithinRangeHasNoProblems() {
    JobSpec spec = valid()
        .setMisfire(MisfirePolicy.FIRE_ONCE)
        .setMaxCatchup(10_000)
        .setOverlap(io.raftcron.proto.OverlapPolicy.REPLACE)
        .setDstGap(io.raftcron.proto.DstGapPolicy.DST_SKIP)
        .setDstOverlap(io.raftcron.proto.DstOverlapPolicy.DST_TWICE)
        .setRetry(io.raftcron.proto.RetryPolicy.newBuilder().setMaxAttempts(5).setInitialBackoff(seconds(1, 0))
            .setMultiplier(1.5).setMaxBackoff(seconds(600, 0)).setJitter(1))
        .setTimeout(seconds(3600, 0))
        .setStartAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_800_000_000L))
        .setEndAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_900_000_000L))
        .setRetention(io.raftcron.proto.RetentionPolicy.newBuilder().setKeepLast(10).setKeepFor(seconds(0, 0)))
        .build();
    assertThat(JobSpecValidator.problems(spec)).isEmpty();
  }

  @Test
  void outOfRangePolicyValuesAreEachReportedWithWhatIsAllowed() {
    JobSpec spec = valid()
        .setMaxCatchup(-1)
        .setOverlapValue(9)
        .setDstGapValue(9)
        .setDstOverlapValue(9)
        .setRetry(io.raftcron.proto.RetryPolicy.newBuilder().setMaxAttempts(101).setInitialBackoff(seconds(60, 0))
            .setMaxBackoff(seconds(10, 0)).setMultiplier(0.5).setJitter(1.5))
        .setTimeout(seconds(-1, 0))
        .setStartAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_900_000_000L))
        .setEndAt(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_800_000_000L))
        .setRetention(io.raftcron.proto.RetentionPolicy.newBuilder().setKeepLast(-5).setKeepFor(seconds(-1, 0)))
        .build();

    assertThat(JobSpecValidator.problems(spec)).satisfiesExactlyInAnyOrder(
        p -> assertThat(p).startsWith("max_catchup -1 is out of range"),
        p -> assertThat(p).startsWith("overlap value 9 is not recognized"),
        p -> assertThat(p).startsWith("dst_gap value 9 is not recognized"),
        p -> assertThat(p).startsWith("dst_overlap value 9 is not recognized"),
        p -> assertThat(p).startsWith("timeout of -1s"),
        p -> assertThat(p).startsWith("retry.max_attempts 101 is out of range"),
        p -> assertThat(p).startsWith("retry.max_backoff 10s is shorter than retry.initial_backoff 1m"),
        p -> assertThat(p).startsWith("retry.multiplier 0.5 is out of range"),
        p -> assertThat(p).startsWith("retry.jitter 1.5 is out of range"),
        p -> assertThat(p).startsWith("end_at 2027-01-15T08:00:00Z is not after start_at 2030-03-17T17:46:40Z"),
        p -> assertThat(p).startsWith("retention.keep_last -5 is out of range"),
        p -> assertThat(p).startsWith("retention.keep_for of -1s"));
  }

  @Test
  void anAtScheduleIsValidatedLikeAnyOther() {
    assertThat(JobSpecValidator.problems(valid().setSchedule("@at 2030-01-01T00:00:00+01:00").build())).isEmpty();
    assertThat(JobSpecValidator.problems(valid().setSchedule("@at soon").build()))
        .singleElement().asString().startsWith("schedule: 'soon' in '@at soon' is not an RFC 3339 instant");
  }
}
