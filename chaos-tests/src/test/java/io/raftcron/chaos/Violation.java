package io.raftcron.chaos;

/** A broken invariant (I1..I7) and what shows it. */
record Violation(String invariant, String message) {
  @Override
  public String toString() {
    return invariant + ": " + message;
  }
}
