package io.raftcron.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.GetJobRequest;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.JobSpec;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The gateway over a real in-process gRPC server with an interceptor of the kind an auth layer
 * adds: the HTTP Authorization header reaches it, and its refusals become HTTP codes.
 */
class GrpcJsonGatewayTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<String> CALLER = Context.key("caller");

  /** Refuses calls without a bearer token; passes the token on to the service. */
  private static final ServerInterceptor BEARER_ONLY =
      new ServerInterceptor() {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
          String auth = headers.get(AUTHORIZATION);
          if (auth == null || !auth.startsWith("Bearer ")) {
            call.close(Status.UNAUTHENTICATED.withDescription("a bearer token is required"), new Metadata());
            return new ServerCall.Listener<>() {};
          }
          return Contexts.interceptCall(Context.current().withValue(CALLER, auth.substring(7)), call, headers, next);
        }
      };

  /** GetJob answers a job named after the caller, or fails with the status its name spells. */
  private static final class EchoJobs extends JobServiceGrpc.JobServiceImplBase {
    @Override
    public void getJob(GetJobRequest request, StreamObserver<Job> out) {
      if (request.getName().startsWith("fail-")) {
        out.onError(Status.fromCode(Status.Code.valueOf(request.getName().substring(5))).withDescription("as asked").asRuntimeException());
        return;
      }
      out.onNext(Job.newBuilder().setSpec(JobSpec.newBuilder().setName(request.getName() + " for " + CALLER.get())).build());
      out.onCompleted();
    }
  }

  private GrpcJsonGateway gateway;

  @BeforeEach
  void start() throws Exception {
    gateway = new GrpcJsonGateway(List.of(ServerInterceptors.intercept(new EchoJobs(), BEARER_ONLY)));
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  @Test
  void theAuthorizationHeaderReachesTheServicesInterceptors() throws Exception {
    HttpReply reply = call("JobService/GetJob", "{\"name\": \"backup\"}", "Bearer alice");
    assertThat(reply.status()).isEqualTo(200);
    Job.Builder job = Job.newBuilder();
    JsonFormat.parser().merge(new String(reply.body()), job);
    assertThat(job.getSpec().getName()).isEqualTo("backup for alice");
  }

  @Test
  void aCallTheInterceptorRefusesIsA401WithItsMessage() throws Exception {
    HttpReply reply = call("JobService/GetJob", "{\"name\": \"backup\"}", null);
    assertThat(reply.status()).isEqualTo(401);
    assertThat(errorOf(reply)).isEqualTo("UNAUTHENTICATED: a bearer token is required");
  }

  @ParameterizedTest
  @CsvSource({
    "INVALID_ARGUMENT, 400",
    "UNAUTHENTICATED, 401",
    "PERMISSION_DENIED, 403",
    "NOT_FOUND, 404",
    "ALREADY_EXISTS, 409",
    "FAILED_PRECONDITION, 409",
    "RESOURCE_EXHAUSTED, 429",
    "INTERNAL, 500",
    "UNIMPLEMENTED, 501",
    "UNAVAILABLE, 503",
    "DEADLINE_EXCEEDED, 504",
  })
  void grpcStatusesMapToHttpCodes(String code, int httpStatus) throws Exception {
    HttpReply reply = call("JobService/GetJob", "{\"name\": \"fail-" + code + "\"}", "Bearer bob");
    assertThat(reply.status()).isEqualTo(httpStatus);
    assertThat(errorOf(reply)).isEqualTo(code + ": as asked");
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', textBlock = """
    {"name": "backup"} {"name": "prod"}     | more follows the JSON value
    {"name": "backup", "name": "prod"}      | the key "name" appears twice in one object
    {"name": "backup"} // a comment         | more follows
    {name: 'backup'}                        | line 1
    {"name": "backup",}                     | line 1
    """)
  void aBodyThatIsNotExactlyOneStrictJsonObjectIsRefusedBeforeTheCall(String body, String problem) throws Exception {
    HttpReply reply = call("JobService/GetJob", body, "Bearer alice");

    assertThat(reply.status()).isEqualTo(400);
    assertThat(errorOf(reply)).contains("raftcron.v1.GetJobRequest").contains(problem);
  }

  @Test
  void methodsTheServiceDoesNotImplementAreUnimplemented() throws Exception {
    HttpReply reply = call("JobService/ListJobs", "{}", "Bearer bob");
    assertThat(reply.status()).isEqualTo(501);
  }

  @Test
  void theMethodIndexComesFromTheRegisteredDefinitions() {
    assertThat(gateway.methodsJson()).contains("\"JobService/GetJob\"", "\"JobService/CreateJob\"").doesNotContain("RunService");
  }

  private HttpReply call(String method, String json, String authorization) throws Exception {
    return gateway.call(method, json, authorization).get(10, TimeUnit.SECONDS);
  }

  private static String errorOf(HttpReply reply) throws Exception {
    assertThat(reply.contentType()).isEqualTo(HttpReply.JSON);
    Struct.Builder error = Struct.newBuilder();
    JsonFormat.parser().merge(new String(reply.body()), error);
    return error.getFieldsOrThrow("code").getStringValue() + ": " + error.getFieldsOrThrow("message").getStringValue();
  }
}
