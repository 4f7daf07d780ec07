package io.raftcron.sm;

/**
 * The applier's two safety checks: the duplicate-slot refusal (a slot that already has a fire
 * decision is never decided again, by the scheduler or by a backfill) and the fencing check (a
 * completion counts only under the run's current lease token). Both are always on in a real
 * node; {@link TestOverride} exists so that the chaos suite can prove its checkers catch a
 * cluster without them.
 */
public record Safeguards(boolean refuseDecidedSlots, boolean fenceCompletions) {
  public static final Safeguards ENFORCED = new Safeguards(true, true);

  /**
   * Found with {@link java.util.ServiceLoader} on a node's class path. Only the chaos suite's test
   * jar implements it; raftcron's distribution holds no implementation, so no flag, file or
   * variable can switch a production node's safeguards off.
   */
  public interface TestOverride {
    Safeguards safeguards();
  }
}
