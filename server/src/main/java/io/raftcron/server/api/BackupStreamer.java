package io.raftcron.server.api;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.BackupChunk;
import io.raftcron.raft.RaftNode;
import io.raftcron.sm.store.BackupArchive;
import io.raftcron.sm.store.SchedulerStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executor;
import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a backup: a linearizable read barrier (so the copy holds every write acknowledged before the call), then a
 * checkpoint of the store at one applied index, written as a {@link BackupArchive} to a temporary file and streamed
 * in chunks. Any node can serve it; the work runs on {@code executor}, never on a gRPC or raft thread.
 */
final class BackupStreamer {
  private static final Logger log = LoggerFactory.getLogger(BackupStreamer.class);
  static final int CHUNK_BYTES = 256 * 1024;

  private final String nodeId;
  private final RaftNode raft;
  private final SchedulerStore store;
  private final Path workRoot;
  private final Executor executor;

  BackupStreamer(String nodeId, RaftNode raft, SchedulerStore store, Path workRoot, Executor executor) {
    this.nodeId = nodeId;
    this.raft = raft;
    this.store = store;
    this.workRoot = workRoot;
    this.executor = executor;
  }

  void stream(StreamObserver<BackupChunk> out) {
    raft.readIndex().whenCompleteAsync((ignored, failure) -> {
      if (failure != null) {
        out.onError(Status.UNAVAILABLE
            .withDescription("cannot confirm this node is up to date (" + failure.getMessage() + "); retry")
            .asRuntimeException());
        return;
      }
      try {
        send(out);
        out.onCompleted();
      } catch (IOException | RuntimeException e) {
        log.warn("backup failed", e);
        out.onError(Status.INTERNAL.withDescription("backup failed: " + e.getMessage()).asRuntimeException());
      }
    }, executor);
  }

  private void send(StreamObserver<BackupChunk> out) throws IOException {
    Files.createDirectories(workRoot);
    Path work = Files.createTempDirectory(workRoot, "backup-");
    try {
      Path file = work.resolve("state.backup");
      try (OutputStream os = Files.newOutputStream(file)) {
        var header = BackupArchive.write(store, work, nodeId, os);
        log.info("backup at applied index {}: {} bytes", header.getAppliedIndex(), Files.size(file));
      }
      byte[] buffer = new byte[CHUNK_BYTES];
      try (InputStream in = Files.newInputStream(file)) {
        for (int n = in.readNBytes(buffer, 0, buffer.length); n > 0; n = in.readNBytes(buffer, 0, buffer.length)) {
          out.onNext(BackupChunk.newBuilder().setData(ByteString.copyFrom(buffer, 0, n)).build());
        }
      }
    } finally {
      FileUtils.deleteDirectory(work.toFile());
    }
  }
}
