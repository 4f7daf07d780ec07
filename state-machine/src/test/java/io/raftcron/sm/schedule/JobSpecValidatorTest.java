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
                + " @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>");
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
  @ValueSource(strings = {"FIRE_ALL", "SKIP", "MISFIRE_POLICY_UNSPECIFIED"})
  void knownMisfirePoliciesAreAccepted(String policy) {
    assertThat(JobSpecValidator.problems(valid().setMisfire(MisfirePolicy.valueOf(policy)).build())).isEmpty();
  }

  @Test
  void anUnrecognizedMisfireValueIsReported() {
    assertThat(JobSpecValidator.problems(valid().setMisfireValue(7).build()))
        .containsExactly("misfire value 7 is not recognized: use FIRE_ALL, SKIP or leave it unset (FIRE_ALL)");
  }

  @Test
  void everyProblemIsReportedAtOnce() {
    JobSpec spec = JobSpec.newBuilder().setName("Bad Name").setSchedule("").setMisfireValue(9).build();
    assertThat(JobSpecValidator.problems(spec)).hasSize(4);
  }
}
