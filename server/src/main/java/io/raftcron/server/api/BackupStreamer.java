package io.raftcron.server.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftcron.proto.BackupChunk;
import io.raftcron.raft.RaftNode;
import io.raftcron.sm.store.BackupArchive;
import io.raftcron.sm.store.SchedulerStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.apache.commons.io.FileUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a backup: a linearizable read barrier (so the copy holds every write acknowledged before the call), then a
 * checkpoint of the store at one applied index, written as a {@link BackupArchive} straight into the call in chunks,
 * as fast as the client reads them ({@link ChunkStream}). Any node can serve it; the work runs on {@code executor}, never on a gRPC or raft thread.
 */
final class BackupStreamer {
  private static final Logger log = LoggerFactory.getLogger(BackupStreamer.class);
  static final int CHUNK_BYTES = 256 * 1024;
  /** How long a client may read nothing before the backup is abandoned. */
  static final Duration MAX_CLIENT_STALL = Duration.ofMinutes(1);

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
    ServerCallStreamObserver<BackupChunk> call = (ServerCallStreamObserver<BackupChunk>) out;
    ChunkStream chunks = new ChunkStream(call, CHUNK_BYTES, MAX_CLIENT_STALL);
    raft.readIndex().whenCompleteAsync((ignored, failure) -> {
      if (failure != null) {
        out.onError(Status.UNAVAILABLE
            .withDescription("cannot confirm this node is up to date (" + failure.getMessage() + "); retry")
            .asRuntimeException());
        return;
      }
      try {
        send(chunks);
        out.onCompleted();
      } catch (IOException | RuntimeException e) {
        log.warn("backup failed: {}", e.toString());
        if (!call.isCancelled()) {
          out.onError(Status.INTERNAL.withDescription("backup failed: " + e.getMessage()).asRuntimeException());
        }
      }
    }, executor);
  }

  /** Writes the archive straight into the call: only the checkpoint (hard links) takes disk space meanwhile. */
  private void send(ChunkStream chunks) throws IOException {
    Files.createDirectories(workRoot);
    Path work = Files.createTempDirectory(workRoot, "backup-");
    try {
      var header = BackupArchive.write(store, work, nodeId, chunks);
      chunks.flush();
      log.info("backup at applied index {} sent", header.getAppliedIndex());
    } finally {
      FileUtils.deleteDirectory(work.toFile());
    }
  }
}
