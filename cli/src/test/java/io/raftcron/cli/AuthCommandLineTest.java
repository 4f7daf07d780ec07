package io.raftcron.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.JobServiceGrpc;
import io.raftcron.proto.ListJobsRequest;
import io.raftcron.proto.ListJobsResponse;
import io.raftcron.server.auth.Role;
import io.raftcron.server.auth.TokenFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthCommandLineTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @TempDir Path dir;

  @Test
  void hashTokenMakesANewTokenAndALineThatTheServerAccepts() throws Exception {
    int code = execute("auth", "hash-token", "--name", "w7", "--role", "worker", "--worker-id", "w7");

    assertThat(code).isZero();
    String token = err.toString().strip().replace("token for w7: ", "");
    assertThat(token).hasSize(43); // 32 random bytes, base64url
    String line = out.toString().strip();
    assertThat(line).doesNotContain(token).endsWith(" w7 worker w7");
    Path file = Files.write(dir.resolve("tokens"), List.of(line));
    assertThat(TokenFile.read(file).authenticate(token)).hasValueSatisfying(p -> assertThat(p.role()).isEqualTo(Role.WORKER));
  }

  @Test
  void hashTokenRefusesAWorkerTokenWithoutAWorkerId() {
    assertThat(execute("auth", "hash-token", "--name", "w7", "--role", "worker", "--token", "t")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("a worker token must name the worker id");
  }

  @Test
  void clientCommandsSendTheTokenAsABearerHeader() throws Exception {
    AtomicReference<String> seen = new AtomicReference<>();
    ServerInterceptor capture = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        seen.set(headers.get(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER)));
        return next.startCall(call, headers);
      }
    };
    JobServiceGrpc.JobServiceImplBase jobs = new JobServiceGrpc.JobServiceImplBase() {
      @Override
      public void listJobs(ListJobsRequest request, StreamObserver<ListJobsResponse> response) {
        response.onNext(ListJobsResponse.getDefaultInstance());
        response.onCompleted();
      }
    };
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(ServerInterceptors.intercept(jobs, capture)).build().start();
    try {
      int code = execute("job", "list", "--cluster", "127.0.0.1:" + server.getPort(), "--token", "abc123");
      assertThat(code).isZero();
      assertThat(seen.get()).isEqualTo("Bearer abc123");
    } finally {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private int execute(String... args) {
    return Main.commandLine().setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
  }
}
