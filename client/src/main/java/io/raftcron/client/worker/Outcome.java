package io.raftcron.client.worker;

/** How a run ended, as reported to the cluster. */
public record Outcome(boolean succeeded, int exitCode, String error) {
  public Outcome {
    error = error == null ? "" : error;
  }

  public static Outcome success() {
    return new Outcome(true, 0, "");
  }

  public static Outcome failure(int exitCode, String error) {
    return new Outcome(false, exitCode, error);
  }
}
