package io.raftcron.server.api;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.Command;
import io.raftcron.proto.CreateJobRequest;
import io.raftcron.proto.DeleteJob;
import io.raftcron.proto.DeleteJobRequest;
import io.raftcron.proto.DeleteJobResponse;
import io.raftcron.proto.GetJobRequest;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.ListJobsRequest;
import io.raftcron.proto.ListJobsResponse;
import io.raftcron.proto.PutJob;
import io.raftcron.proto.UpdateJobRequest;
import io.raftcron.sm.Schedules;
import io.raftcron.sm.Times;
import io.raftcron.sm.schedule.JobSpecValidator;
import io.raftcron.sm.store.SchedulerStore;
import java.util.List;

/** Job create, update (compare-and-set), delete, get and list. */
public final class JobService extends JobServiceGrpc.JobServiceImplBase {
  private final Gateway gateway;
  private final SchedulerStore store;

  public JobService(Gateway gateway, SchedulerStore store) {
    this.gateway = gateway;
    this.store = store;
  }

  @Override
  public void createJob(CreateJobRequest request, StreamObserver<Job> out) {
    if (rejectInvalid(request.getSpec(), out)) {
      return;
    }
    gateway.write(
        JobServiceGrpc.getCreateJobMethod(),
        request,
        out,
        Command.newBuilder().setPutJob(PutJob.newBuilder().setSpec(request.getSpec()).setCreate(true)),
        result -> withNextSlot(result.getJob()));
  }

  @Override
  public void updateJob(UpdateJobRequest request, StreamObserver<Job> out) {
    if (request.getExpectedVersion() <= 0) {
      out.onError(Errors.invalid("expected_version is required: pass the version from 'job get'"));
      return;
    }
    if (rejectInvalid(request.getSpec(), out)) {
      return;
    }
    gateway.write(
        JobServiceGrpc.getUpdateJobMethod(),
        request,
        out,
        Command.newBuilder()
            .setPutJob(
                PutJob.newBuilder()
                    .setSpec(request.getSpec())
                    .setExpectedVersion(request.getExpectedVersion())),
        result -> withNextSlot(result.getJob()));
  }

  @Override
  public void deleteJob(DeleteJobRequest request, StreamObserver<DeleteJobResponse> out) {
    if (request.getName().isEmpty()) {
      out.onError(Errors.invalid("name is required"));
      return;
    }
    gateway.write(
        JobServiceGrpc.getDeleteJobMethod(),
        request,
        out,
        Command.newBuilder()
            .setDeleteJob(
                DeleteJob.newBuilder()
                    .setName(request.getName())
                    .setExpectedVersion(request.getExpectedVersion())),
        result -> DeleteJobResponse.newBuilder().setName(request.getName()).build());
  }

  @Override
  public void getJob(GetJobRequest request, StreamObserver<Job> out) {
    gateway.read(
        request.getStale(),
        out,
        () ->
            store
                .job(request.getName())
                .map(JobService::withNextSlot)
                .orElseThrow(
                    () ->
                        Status.NOT_FOUND
                            .withDescription("job '" + request.getName() + "' does not exist")
                            .asRuntimeException()));
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
    gateway.read(
        request.getStale(),
        out,
        () -> {
          List<Job> jobs = store.jobs().stream().map(JobService::withNextSlot).toList();
          return ListJobsResponse.newBuilder().addAllJobs(jobs).build();
        });
  }

  /** Fills the derived next slot: the first schedule slot after the cursor. */
  static Job withNextSlot(Job job) {
    return Schedules.of(job.getSpec())
        .nextAfter(Times.toInstant(job.getCursor()))
        .map(next -> job.toBuilder().setNextSlot(Times.toTimestamp(next)).build())
        .orElse(job);
  }

  private static boolean rejectInvalid(io.raftcron.proto.JobSpec spec, StreamObserver<?> out) {
    List<String> problems = JobSpecValidator.problems(spec);
    if (problems.isEmpty()) {
      return false;
    }
    out.onError(Errors.invalid(String.join("; ", problems)));
    return true;
  }
}
