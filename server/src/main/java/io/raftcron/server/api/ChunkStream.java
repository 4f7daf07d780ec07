package io.raftcron.server.api;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.raftcron.proto.BackupChunk;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Duration;

/**
 * An output stream sent as {@link BackupChunk}s, at the pace the client reads them. grpc-java
 * queues whatever a server sends, so writing a store of gigabytes to a slow or stalled client
 * would hold it all in the node's memory; this blocks the writing thread until the call is ready
 * for more (gRPC flow control), and fails once the client has gone or stays unready too long.
 */
final class ChunkStream extends OutputStream {
  private final ServerCallStreamObserver<BackupChunk> call;
  private final Duration maxWait;
  private final byte[] buffer;
  private int filled;
  private final Object ready = new Object();

  /** Must be made during the service method's own call: it installs the call's ready and cancel handlers. */
  ChunkStream(ServerCallStreamObserver<BackupChunk> call, int chunkBytes, Duration maxWait) {
    this.call = call;
    this.maxWait = maxWait;
    this.buffer = new byte[chunkBytes];
    Runnable wake = () -> {
      synchronized (ready) {
        ready.notifyAll();
      }
    };
    call.setOnReadyHandler(wake);
    call.setOnCancelHandler(wake);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] bytes, int offset, int length) throws IOException {
    while (length > 0) {
      int n = Math.min(length, buffer.length - filled);
      System.arraycopy(bytes, offset, buffer, filled, n);
      filled += n;
      offset += n;
      length -= n;
      if (filled == buffer.length) {
        flush();
      }
    }
  }

  @Override
  public void flush() throws IOException {
    if (filled == 0) {
      return;
    }
    awaitReady();
    call.onNext(BackupChunk.newBuilder().setData(ByteString.copyFrom(buffer, 0, filled)).build());
    filled = 0;
  }

  @Override
  public void close() throws IOException {
    flush();
  }

  private void awaitReady() throws IOException {
    long deadline = System.nanoTime() + maxWait.toNanos();
    synchronized (ready) {
      while (!call.isReady()) {
        if (call.isCancelled()) {
          throw new IOException("the client cancelled the backup");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException("the client read nothing for " + maxWait.toSeconds() + " s");
        }
        try {
          ready.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while the client was not reading");
        }
      }
    }
  }
}
