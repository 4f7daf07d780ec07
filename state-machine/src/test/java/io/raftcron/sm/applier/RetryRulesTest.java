package io.raftcron.sm.applier;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import io.raftcron.proto.RetryPolicy;
import io.raftcron.proto.Run;
import io.raftcron.proto.RunState;
import org.junit.jupiter.api.Test;

class RetryRulesTest {
  private static final double NO_JITTER = 0.5; // the middle of the jitter range moves nothing

  @Test
  void defaultsAreTenSecondsDoublingUpToTenMinutes() {
    RetryPolicy defaults = RetryPolicy.newBuilder().setMaxAttempts(20).build();

    assertThat(RetryRules.backoff(defaults, 1, NO_JITTER)).isEqualTo(java.time.Duration.ofSeconds(10));
    assertThat(RetryRules.backoff(defaults, 2, NO_JITTER)).isEqualTo(java.time.Duration.ofSeconds(20));
    assertThat(RetryRules.backoff(defaults, 3, NO_JITTER)).isEqualTo(java.time.Duration.ofSeconds(40));
    assertThat(RetryRules.backoff(defaults, 7, NO_JITTER)).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(RetryRules.backoff(defaults, 2000, NO_JITTER)).isEqualTo(java.time.Duration.ofMinutes(10));
  }

  @Test
  void jitterMovesTheBackoffByAtMostItsFractionEitherWay() {
    RetryPolicy defaults = RetryPolicy.getDefaultInstance(); // jitter 0.2

    assertThat(RetryRules.backoff(defaults, 1, 0.0)).isEqualTo(java.time.Duration.ofSeconds(8));
    assertThat(RetryRules.backoff(defaults, 1, 1.0)).isEqualTo(java.time.Duration.ofSeconds(12));
    for (double u = 0; u < 1; u += 0.01) {
      assertThat(RetryRules.backoff(defaults, 1, u))
          .isBetween(java.time.Duration.ofSeconds(8), java.time.Duration.ofSeconds(12));
    }
  }

  @Test
  void aPolicysOwnValuesAreUsedAndTheCapAppliesBeforeTheJitter() {
    RetryPolicy policy = RetryPolicy.newBuilder()
        .setMaxAttempts(5)
        .setInitialBackoff(Duration.newBuilder().setSeconds(1))
        .setMultiplier(3)
        .setMaxBackoff(Duration.newBuilder().setSeconds(5))
        .setJitter(0.5)
        .build();

    assertThat(RetryRules.backoff(policy, 1, NO_JITTER)).isEqualTo(java.time.Duration.ofSeconds(1));
    assertThat(RetryRules.backoff(policy, 2, NO_JITTER)).isEqualTo(java.time.Duration.ofSeconds(3));
    assertThat(RetryRules.backoff(policy, 3, NO_JITTER)).isEqualTo(java.time.Duration.ofSeconds(5));
    assertThat(RetryRules.backoff(policy, 3, 1.0)).isEqualTo(java.time.Duration.ofMillis(7500));
  }

  @Test
  void onlyFailedOrTimedOutAttemptsWithAttemptsLeftAndNoCancelRequestRetry() {
    Run run = Run.newBuilder().setAttempt(1).setRetry(RetryPolicy.newBuilder().setMaxAttempts(2)).build();

    assertThat(RetryRules.retries(run, RunState.FAILED)).isTrue();
    assertThat(RetryRules.retries(run, RunState.TIMED_OUT)).isTrue();
    assertThat(RetryRules.retries(run, RunState.SUCCEEDED)).isFalse();
    assertThat(RetryRules.retries(run, RunState.CANCELLED)).isFalse();
    assertThat(RetryRules.retries(run.toBuilder().setAttempt(2).build(), RunState.FAILED)).isFalse();
    assertThat(RetryRules.retries(run.toBuilder().setCancelRequested(true).build(), RunState.FAILED)).isFalse();
    assertThat(RetryRules.retries(Run.newBuilder().setAttempt(1).build(), RunState.FAILED)).isFalse();
  }
}
