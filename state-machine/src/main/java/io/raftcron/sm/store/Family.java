package io.raftcron.sm.store;

import java.nio.charset.StandardCharsets;

/** The column families of the state store. */
public enum Family {
  /** job name → Job without its cursor and counters (and without the derived next slot): see {@link JobRecords}. */
  JOBS("jobs"),
  /** job name → the job's cursor, fired and skipped counts (format 2 on): see {@link JobRecords}. */
  CURSORS("cursors"),
  /** job, slot → Run: the per-slot ledger; a key here is a committed fire decision. */
  RUNS("runs"),
  /** due time, run key → nothing: runs waiting for a worker. */
  QUEUE("queue"),
  /** run key → nothing: runs leased to a worker. */
  LEASES("leases"),
  /** next attempt time, run key → nothing: runs in RETRY_WAIT, soonest first. */
  RETRIES("retries"),
  /** job, last skipped slot → SkippedSlots. */
  SKIPPED("skipped"),
  /** run key → nothing: runs that may still be active (QUEUED, LEASED, RETRY_WAIT) of the jobs whose
   *  overlap policy reads them (forbid, buffer-one, replace), marked when created or when the job takes
   *  such a policy; entries of finished runs are dropped lazily. Stores written by earlier builds also
   *  hold allow jobs' runs: read only if the policy changes, which replaces them. */
  ACTIVE("active"),
  /** job, request id → run id: manual triggers, for their idempotency. */
  TRIGGERS("triggers"),
  /** alert id → Alert: built-in alerts, firing and resolved (one per kind and job). */
  ALERTS("alerts"),
  /** applied index, registered nodes. */
  META("meta");

  final byte[] cfName;

  Family(String name) {
    this.cfName = name.getBytes(StandardCharsets.UTF_8);
  }
}
