package io.raftcron.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.BackupChunk;
import io.raftcron.proto.BackupRequest;
import io.raftcron.proto.ClusterServiceGrpc;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A backup stream writes at the pace its client reads, over a real (in-process) gRPC call. */
class ChunkStreamTest {
  private static final int CHUNK = 1024;
  private static final int CHUNKS = 20;

  private final ExecutorService writer = Executors.newSingleThreadExecutor();
  private final AtomicInteger written = new AtomicInteger();
  private final CompletableFuture<Void> writerDone = new CompletableFuture<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws IOException {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).directExecutor().addService(new ClusterServiceGrpc.ClusterServiceImplBase() {
      @Override
      public void backup(BackupRequest request, StreamObserver<BackupChunk> out) {
        ChunkStream chunks = new ChunkStream((ServerCallStreamObserver<BackupChunk>) out, CHUNK, Duration.ofSeconds(30));
        writer.execute(() -> {
          try {
            for (int i = 0; i < CHUNKS; i++) {
              chunks.write(new byte[CHUNK]);
              written.incrementAndGet();
            }
            chunks.close();
            out.onCompleted();
            writerDone.complete(null);
          } catch (IOException e) {
            writerDone.completeExceptionally(e);
          }
        });
      }
    }).build().start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() throws InterruptedException {
    channel.shutdownNow();
    server.shutdownNow();
    writer.shutdownNow();
    writer.awaitTermination(10, TimeUnit.SECONDS);
  }

  /** Starts a backup call whose client asks for one chunk; the test moves its flow control on. */
  private ClientCallStreamObserver<BackupRequest> backupReadingOneChunk(AtomicInteger received, CompletableFuture<Void> ended) {
    AtomicReference<ClientCallStreamObserver<BackupRequest>> call = new AtomicReference<>();
    ClusterServiceGrpc.newStub(channel).backup(BackupRequest.getDefaultInstance(), new ClientResponseObserver<BackupRequest, BackupChunk>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<BackupRequest> requestStream) {
        call.set(requestStream);
        requestStream.disableAutoRequestWithInitial(1);
      }

      @Override
      public void onNext(BackupChunk chunk) {
        received.incrementAndGet();
      }

      @Override
      public void onError(Throwable t) {
        ended.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        ended.complete(null);
      }
    });
    return call.get();
  }

  @Test
  void theWriterWaitsWhileTheClientReadsNothingAndGoesOnWhenItReads() {
    AtomicInteger received = new AtomicInteger();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    ClientCallStreamObserver<BackupRequest> call = backupReadingOneChunk(received, ended);

    await().atMost(Duration.ofSeconds(10)).until(() -> received.get() == 1);
    // Without flow control all twenty chunks would have been handed to gRPC at once.
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> written.get() < CHUNKS - 1);
    assertThat(writerDone).isNotDone();

    call.request(CHUNKS);

    await().atMost(Duration.ofSeconds(10)).until(ended::isDone);
    assertThat(ended).isCompleted();
    assertThat(received.get()).isEqualTo(CHUNKS);
  }

  @Test
  void aCancelledCallStopsTheWriterWithAnError() {
    CompletableFuture<Void> ended = new CompletableFuture<>();
    ClientCallStreamObserver<BackupRequest> call = backupReadingOneChunk(new AtomicInteger(), ended);
    await().atMost(Duration.ofSeconds(10)).until(() -> written.get() >= 1);

    call.cancel("the operator pressed ^C", null);

    await().atMost(Duration.ofSeconds(10)).until(writerDone::isDone);
    assertThat(writerDone).isCompletedExceptionally();
    assertThat(written.get()).isLessThan(CHUNKS);
  }
}
