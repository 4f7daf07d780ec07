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
import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import io.raftcron.proto.BackfillJob;
import io.raftcron.proto.BackfillJobRequest;
import io.raftcron.proto.BackfillJobResponse;
import io.raftcron.proto.ExplainSlotRequest;
import io.raftcron.proto.ItemResult;
import io.raftcron.proto.PauseJob;
import io.raftcron.proto.PauseJobRequest;
import io.raftcron.proto.PreviewJobRequest;
import io.raftcron.proto.PreviewJobResponse;
import io.raftcron.proto.ResultCode;
import io.raftcron.proto.ResumeJob;
import io.raftcron.proto.ResumeJobRequest;
import io.raftcron.proto.Run;
import io.raftcron.proto.SlotExplanation;
import io.raftcron.proto.TriggerJob;
import io.raftcron.proto.TriggerJobRequest;
import io.raftcron.server.auth.SecretRedaction;
import io.raftcron.sm.RunIds;
import io.raftcron.sm.Schedules;
import io.raftcron.sm.planner.FirePlanner;
import io.raftcron.sm.planner.SlotExplainer;
import io.raftcron.sm.planner.SlotPreview;
import io.raftcron.sm.schedule.Schedule;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Optional;
import io.raftcron.sm.Times;
import io.raftcron.sm.schedule.JobSpecValidator;
import io.raftcron.sm.store.SchedulerStore;
import java.util.List;

/**
 * Jobs: create, update (compare-and-set), delete, get, list; pause, resume, trigger, backfill
 * (writes through the log, planned on the leader where they carry decisions); preview of the next
 * slots and explain of one slot (reads).
 */
public final class JobService extends JobServiceGrpc.JobServiceImplBase {
  /** Fires a resume may decide at once; the scheduler decides the rest right after. */
  static final int MAX_RESUME_FIRES = 1000;
  static final int DEFAULT_PAGE_SIZE = 1000;
  static final int MAX_PAGE_SIZE = 10_000;

  private final Gateway gateway;
  private final SchedulerStore store;
  private final InstantSource clock;

  public JobService(Gateway gateway, SchedulerStore store, InstantSource clock) {
    this.gateway = gateway;
    this.store = store;
    this.clock = clock;
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
    // Built on the leader: a secret sent back masked keeps the value the leader stores; the
    // expected version makes sure that is the job the client read.
    gateway.writeOnLeader(
        JobServiceGrpc.getUpdateJobMethod(),
        request,
        out,
        () -> Command.newBuilder()
            .setPutJob(
                PutJob.newBuilder()
                    .setSpec(SecretRedaction.keepStoredSecrets(
                        request.getSpec(), store.job(request.getSpec().getName())))
                    .setExpectedVersion(request.getExpectedVersion())),
        result -> withNextSlot(result.getJob()));
  }

  @Override
  public void deleteJob(DeleteJobRequest request, StreamObserver<DeleteJobResponse> out) {
    if (rejectNoName(request.getName(), out)) {
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
                .orElseThrow(() -> notFound(request.getName())));
  }

  @Override
  public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> out) {
    if (request.getPageSize() < 0 || request.getPageSize() > MAX_PAGE_SIZE) {
      out.onError(Errors.invalid("page_size must be between 1 and " + MAX_PAGE_SIZE + " (0 means " + DEFAULT_PAGE_SIZE + ")"));
      return;
    }
    int size = request.getPageSize() == 0 ? DEFAULT_PAGE_SIZE : request.getPageSize();
    gateway.read(
        request.getStale(),
        out,
        () -> {
          // The token is the page's last name: the next page starts after it, whatever changed since.
          List<Job> jobs = store.jobs(request.getPageToken(), size + 1);
          ListJobsResponse.Builder page = ListJobsResponse.newBuilder().setTotal(store.jobCount());
          jobs.stream().limit(size).map(JobService::withNextSlot).forEach(page::addJobs);
          if (jobs.size() > size) {
            page.setNextPageToken(jobs.get(size - 1).getSpec().getName());
          }
          return page.build();
        });
  }

  @Override
  public void pauseJob(PauseJobRequest request, StreamObserver<Job> out) {
    if (rejectNoName(request.getName(), out)) {
      return;
    }
    gateway.write(
        JobServiceGrpc.getPauseJobMethod(),
        request,
        out,
        Command.newBuilder().setPauseJob(PauseJob.newBuilder().setName(request.getName())),
        result -> withNextSlot(result.getJob()));
  }

  @Override
  public void resumeJob(ResumeJobRequest request, StreamObserver<Job> out) {
    if (rejectNoName(request.getName(), out)) {
      return;
    }
    gateway.writeOnLeader(
        JobServiceGrpc.getResumeJobMethod(),
        request,
        out,
        () -> {
          // The slots that came due while paused, decided now under the misfire policy.
          ResumeJob.Builder resume = ResumeJob.newBuilder().setName(request.getName());
          store
              .job(request.getName())
              .filter(Job::getPaused)
              .ifPresent(
                  job ->
                      resume.addAllDecisions(
                          FirePlanner.planResume(job, clock.instant(), MAX_RESUME_FIRES).decisions()));
          return Command.newBuilder().setResumeJob(resume);
        },
        result -> withNextSlot(result.getJob()));
  }

  @Override
  public void triggerJob(TriggerJobRequest request, StreamObserver<Run> out) {
    if (rejectNoName(request.getName(), out)) {
      return;
    }
    if (!request.getRequestId().isEmpty() && !RunIds.isValidRequestId(request.getRequestId())) {
      out.onError(
          Errors.invalid(
              "request_id '" + request.getRequestId() + "' is not allowed: use 1-128 of A-Z a-z 0-9 . _ : -"));
      return;
    }
    gateway.write(
        JobServiceGrpc.getTriggerJobMethod(),
        request,
        out,
        Command.newBuilder()
            .setTriggerJob(
                TriggerJob.newBuilder().setName(request.getName()).setRequestId(request.getRequestId())),
        result -> result.getItems(0).getRun());
  }

  @Override
  public void backfillJob(BackfillJobRequest request, StreamObserver<BackfillJobResponse> out) {
    if (rejectNoName(request.getName(), out)) {
      return;
    }
    if (!request.hasFrom() || !request.hasTo()) {
      out.onError(Errors.invalid("from and to are required: the range (from, to] to backfill"));
      return;
    }
    String outOfRange = Times.rangeProblem("from", request.getFrom());
    if (outOfRange == null) {
      outOfRange = Times.rangeProblem("to", request.getTo());
    }
    if (outOfRange != null) {
      out.onError(Errors.invalid(outOfRange));
      return;
    }
    Instant from = Times.toInstant(request.getFrom());
    Instant to = Times.toInstant(request.getTo());
    if (!to.isAfter(from)) {
      out.onError(Errors.invalid("to (" + to + ") must be after from (" + from + ")"));
      return;
    }
    gateway.writeOnLeader(
        JobServiceGrpc.getBackfillJobMethod(),
        request,
        out,
        () -> {
          Job job = store.job(request.getName()).orElseThrow(() -> notFound(request.getName()));
          return Command.newBuilder()
              .setBackfillJob(
                  BackfillJob.newBuilder()
                      .setName(request.getName())
                      .addAllSlots(backfillSlots(job, from, to, clock.instant())));
        },
        result -> {
          BackfillJobResponse.Builder response = BackfillJobResponse.newBuilder();
          for (ItemResult item : result.getItemsList()) {
            if (item.getCode() == ResultCode.OK && item.hasRun()) {
              response.addRuns(item.getRun());
            } else if (item.getCode() == ResultCode.DUPLICATE_SLOT) {
              response.setAlreadyDecided(response.getAlreadyDecided() + 1);
            }
          }
          return response.build();
        });
  }

  /**
   * The schedule slots in (from, to] that a backfill may fire: inside the job's bounds and at or
   * before its cursor (later ones are the scheduler's to decide). More than the limit is refused.
   */
  static List<Timestamp> backfillSlots(Job job, Instant from, Instant to, Instant now) {
    Instant last = to;
    Instant cursor = Times.toInstant(job.getCursor());
    if (cursor.isBefore(last)) {
      last = cursor;
    }
    if (now.isBefore(last)) {
      last = now;
    }
    if (job.getSpec().hasEndAt() && Times.toInstant(job.getSpec().getEndAt()).isBefore(last)) {
      last = Times.toInstant(job.getSpec().getEndAt());
    }
    Instant first = FirePlanner.notBeforeStart(job.getSpec(), from);
    Schedule schedule = Schedules.of(job.getSpec());
    List<Timestamp> slots = new ArrayList<>();
    for (Optional<Instant> s = schedule.nextAfter(first);
        s.isPresent() && !s.get().isAfter(last);
        s = schedule.nextAfter(s.get())) {
      if (slots.size() == FirePlanner.MAX_BACKFILL_SLOTS) {
        throw Errors.invalid(
            "the range (" + from + ", " + to + "] holds more than " + FirePlanner.MAX_BACKFILL_SLOTS
                + " slots of schedule '" + job.getSpec().getSchedule() + "': split it into smaller ranges");
      }
      slots.add(Times.toTimestamp(s.get()));
    }
    return slots;
  }

  @Override
  public void previewJob(PreviewJobRequest request, StreamObserver<PreviewJobResponse> out) {
    if (request.getCount() < 0 || request.getCount() > SlotPreview.MAX_COUNT) {
      out.onError(Errors.invalid("count must be from 1 to " + SlotPreview.MAX_COUNT + " (0: 10)"));
      return;
    }
    int count = request.getCount() == 0 ? SlotPreview.DEFAULT_COUNT : request.getCount();
    gateway.read(
        request.getStale(),
        out,
        () ->
            SlotPreview.preview(
                store.job(request.getName()).orElseThrow(() -> notFound(request.getName())), count));
  }

  @Override
  public void explainSlot(ExplainSlotRequest request, StreamObserver<SlotExplanation> out) {
    if (request.getName().isEmpty() || !request.hasSlot()) {
      out.onError(Errors.invalid("name and slot are required"));
      return;
    }
    if (!Times.inRange(request.getSlot())) {
      out.onError(Errors.invalid(Times.rangeProblem("slot", request.getSlot())));
      return;
    }
    gateway.read(
        request.getStale(),
        out,
        () ->
            SlotExplainer.explain(
                    store, request.getName(), Times.toInstant(request.getSlot()), clock.instant())
                .orElseThrow(() -> notFound(request.getName())));
  }

  private static StatusRuntimeException notFound(String name) {
    return Status.NOT_FOUND.withDescription("job '" + name + "' does not exist").asRuntimeException();
  }

  /**
   * The job with its derived fields: the next slot (the first after the cursor inside the job's
   * bounds) and the schedule in words.
   */
  static Job withNextSlot(Job job) {
    Job.Builder derived =
        job.toBuilder().setScheduleDescription(Schedules.of(job.getSpec()).describe());
    FirePlanner.nextSlot(job).ifPresent(next -> derived.setNextSlot(Times.toTimestamp(next)));
    return derived.build();
  }

  private static boolean rejectNoName(String name, StreamObserver<?> out) {
    if (!name.isEmpty()) {
      return false;
    }
    out.onError(Errors.invalid("name is required"));
    return true;
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
