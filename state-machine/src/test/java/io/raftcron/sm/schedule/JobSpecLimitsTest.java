package io.raftcron.sm.schedule;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.sm.Limits;
import org.junit.jupiter.api.Test;

/** The size and syntax limits of a job spec, each with a message naming the field and the limit. */
class JobSpecLimitsTest {
  private static JobSpec with(ShellExecutor.Builder shell) {
    return JobSpec.newBuilder().setName("job").setSchedule("@hourly")
        .setExecutor(Executor.newBuilder().setShell(shell)).build();
  }

  private static ShellExecutor.Builder shell() {
    return ShellExecutor.newBuilder().setCommand("true");
  }

  @Test
  void theLimitsThemselvesAreAccepted() {
    ShellExecutor.Builder atLimits = ShellExecutor.newBuilder()
        .setCommand("c".repeat(16 * 1024))
        .setWorkingDir("/" + "d".repeat(4095))
        .putEnv("K".repeat(128), "v".repeat(4096));
    for (int i = 1; i < 10; i++) {
      atLimits.putEnv("E" + i, "v");
    }
    atLimits.addSecretEnv("E1");
    assertThat(JobSpecValidator.problems(with(atLimits))).isEmpty();
  }

  @Test
  void anEnvValueOverItsLimitIsRefused() {
    assertThat(JobSpecValidator.problems(with(shell().putEnv("TOKEN", "v".repeat(4097)))))
        .containsExactly("executor.shell.env value of 'TOKEN' is 4097 bytes: at most 4096 are allowed");
  }

  @Test
  void anEnvKeyOverItsLimitIsRefused() {
    assertThat(JobSpecValidator.problems(with(shell().putEnv("K".repeat(129), "v"))))
        .singleElement().asString()
        .endsWith("…' is 129 characters: at most 128 are allowed");
  }

  @Test
  void tooManyEnvVariablesAreRefused() {
    ShellExecutor.Builder many = shell();
    for (int i = 0; i < 65; i++) {
      many.putEnv("V" + i, "x");
    }
    assertThat(JobSpecValidator.problems(with(many)))
        .containsExactly("executor.shell.env has 65 variables: at most 64 are allowed");
  }

  @Test
  void aWorkingDirOverItsLimitIsRefused() {
    assertThat(JobSpecValidator.problems(with(shell().setWorkingDir("/" + "d".repeat(4096)))))
        .containsExactly("executor.shell.working_dir is 4097 bytes: at most 4096 are allowed");
  }

  @Test
  void aSecretEnvKeyMustBeAnEnvKey() {
    assertThat(JobSpecValidator.problems(with(shell().putEnv("A", "1").addSecretEnv("PASSWORD"))))
        .containsExactly("executor.shell.secret_env names 'PASSWORD', which is not a key of executor.shell.env");
  }

  @Test
  void aSpecOverTheTotalSizeIsRefused() {
    ShellExecutor.Builder big = shell().setCommand("c".repeat(16 * 1024));
    for (int i = 0; i < 12; i++) {
      big.putEnv("V" + i, "v".repeat(4096));
    }
    JobSpec spec = with(big);
    assertThat(spec.getSerializedSize()).isGreaterThan(Limits.MAX_SPEC_BYTES);
    assertThat(JobSpecValidator.problems(spec))
        .containsExactly("the job spec is " + spec.getSerializedSize() + " bytes: at most 65536 (64 KiB) are allowed");
  }

  @Test
  void anErrorTailIsCutAtACharacterBoundary() {
    assertThat(Limits.tail("abc", 5)).isEqualTo("abc");
    assertThat(Limits.tail("aéé", 3)).isEqualTo("é"); // 5 bytes: the last 3 would start mid-character
    assertThat(Limits.workerIdProblem("w 1")).contains("printable ASCII characters without spaces");
    assertThat(Limits.workerIdProblem("w".repeat(129))).contains("1-128");
    assertThat(Limits.workerIdProblem("host-1234")).isNull();
  }
}
