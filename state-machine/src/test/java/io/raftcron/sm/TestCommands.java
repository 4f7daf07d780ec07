package io.raftcron.sm;

import io.raftcron.proto.BackfillJob;
import io.raftcron.proto.CancelRun;
import io.raftcron.proto.Command;
import io.raftcron.proto.CompleteRuns;
import io.raftcron.proto.Completion;
import io.raftcron.proto.DeleteJob;
import io.raftcron.proto.ExpireLeases;
import io.raftcron.proto.Executor;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.GrantLeases;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.LeaseExpiry;
import io.raftcron.proto.LeaseGrant;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.NodeInfo;
import io.raftcron.proto.PauseJob;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.RegisterNode;
import io.raftcron.proto.RequeueRetries;
import io.raftcron.proto.ResumeJob;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.SlotDecision;
import io.raftcron.proto.TriggerJob;
import java.time.Instant;
import java.util.List;

/** Builders for the commands tests feed to the applier, stamped by leader "n1" in term 1. */
public final class TestCommands {
  public static final String LEADER = "n1";
  public static final long TERM = 1;

  private TestCommands() {}

  public static JobSpec spec(String name, String schedule) {
    return spec(name, schedule, MisfirePolicy.FIRE_ALL);
  }

  public static JobSpec spec(String name, String schedule, MisfirePolicy misfire) {
    return JobSpec.newBuilder()
        .setName(name)
        .setSchedule(schedule)
        .setMisfire(misfire)
        .setExecutor(
            Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand("echo " + name)))
        .build();
  }

  /** An empty command stamped with the leader's time, node and term. */
  public static Command.Builder stamped(Instant leaderTime) {
    return Command.newBuilder()
        .setLeaderTime(Times.toTimestamp(leaderTime))
        .setLeaderNode(LEADER)
        .setTerm(TERM);
  }

  public static Command create(Instant at, JobSpec spec) {
    return stamped(at).setPutJob(PutJob.newBuilder().setSpec(spec).setCreate(true)).build();
  }

  public static Command update(Instant at, JobSpec spec, long expectedVersion) {
    return stamped(at)
        .setPutJob(PutJob.newBuilder().setSpec(spec).setExpectedVersion(expectedVersion))
        .build();
  }

  public static Command delete(Instant at, String name, long expectedVersion) {
    return stamped(at)
        .setDeleteJob(DeleteJob.newBuilder().setName(name).setExpectedVersion(expectedVersion))
        .build();
  }

  public static SlotDecision fireDecision(String job, Instant slot) {
    return SlotDecision.newBuilder().setJob(job).setSlot(Times.toTimestamp(slot)).setFire(true).build();
  }

  public static SlotDecision skipDecision(String job, Instant through, long count, String reason) {
    return SlotDecision.newBuilder()
        .setJob(job)
        .setSlot(Times.toTimestamp(through))
        .setFire(false)
        .setSkippedCount(count)
        .setSkipReason(reason)
        .build();
  }

  public static Command fire(Instant at, String job, Instant... slots) {
    FireSlots.Builder fire = FireSlots.newBuilder();
    for (Instant slot : slots) {
      fire.addDecisions(fireDecision(job, slot));
    }
    return stamped(at).setFireSlots(fire).build();
  }

  public static Command decide(Instant at, SlotDecision... decisions) {
    FireSlots.Builder fire = FireSlots.newBuilder();
    for (SlotDecision d : decisions) {
      fire.addDecisions(d);
    }
    return stamped(at).setFireSlots(fire).build();
  }

  public static Command grant(Instant at, String runId, String worker, Instant deadline) {
    return stamped(at)
        .setGrantLeases(
            GrantLeases.newBuilder()
                .addGrants(
                    LeaseGrant.newBuilder()
                        .setRunId(runId)
                        .setWorker(worker)
                        .setDeadline(Times.toTimestamp(deadline))))
        .build();
  }

  public static Command complete(
      Instant at, String runId, long token, boolean succeeded, int exitCode, String error) {
    return stamped(at)
        .setCompleteRuns(
            CompleteRuns.newBuilder()
                .addCompletions(
                    Completion.newBuilder()
                        .setRunId(runId)
                        .setFencingToken(token)
                        .setWorker("w1")
                        .setSucceeded(succeeded)
                        .setExitCode(exitCode)
                        .setError(error)
                        .setStartedAt(Times.toTimestamp(at.minusSeconds(1)))
                        .setFinishedAt(Times.toTimestamp(at))))
        .build();
  }

  public static Command expire(Instant at, String runId, long token) {
    return stamped(at)
        .setExpireLeases(
            ExpireLeases.newBuilder()
                .addExpiries(LeaseExpiry.newBuilder().setRunId(runId).setFencingToken(token)))
        .build();
  }

  public static Command pause(Instant at, String name) {
    return stamped(at).setPauseJob(PauseJob.newBuilder().setName(name)).build();
  }

  public static Command resume(Instant at, String name, List<SlotDecision> decisions) {
    return stamped(at).setResumeJob(ResumeJob.newBuilder().setName(name).addAllDecisions(decisions)).build();
  }

  public static Command trigger(Instant at, String name, String requestId) {
    return stamped(at).setTriggerJob(TriggerJob.newBuilder().setName(name).setRequestId(requestId)).build();
  }

  public static Command backfill(Instant at, String name, Instant... slots) {
    BackfillJob.Builder backfill = BackfillJob.newBuilder().setName(name);
    for (Instant slot : slots) {
      backfill.addSlots(Times.toTimestamp(slot));
    }
    return stamped(at).setBackfillJob(backfill).build();
  }

  public static Command cancel(Instant at, String runId) {
    return stamped(at).setCancelRun(CancelRun.newBuilder().setRunId(runId)).build();
  }

  public static Command requeue(Instant at, String... runIds) {
    return stamped(at).setRequeueRetries(RequeueRetries.newBuilder().addAllRunIds(List.of(runIds))).build();
  }

  public static Command registerNode(Instant at, String id) {
    return stamped(at)
        .setRegisterNode(
            RegisterNode.newBuilder()
                .setNode(
                    NodeInfo.newBuilder()
                        .setNodeId(id)
                        .setRaftAddr("127.0.0.1:7001")
                        .setGrpcAddr("127.0.0.1:9001")))
        .build();
  }

  public static Command unregisterNode(Instant at, String id) {
    return stamped(at)
        .setUnregisterNode(io.raftcron.proto.UnregisterNode.newBuilder().setNodeId(id))
        .build();
  }
}
