package io.raftcron.chaos;

/**
 * One client operation of the history: its invocation and, once known, its completion. A
 * completion is {@code OK}, {@code FAIL} (definitely did not take effect: the cluster refused it
 * with a definite answer) or {@code INFO} (unknown: timeout, UNAVAILABLE, connection lost — it may
 * or may not have taken effect). Times are System.nanoTime() of the control process; an INFO
 * operation completes "never" for the checkers ({@link Long#MAX_VALUE}).
 */
final class Op {
  enum F { CREATE, UPDATE, DELETE, GET }

  enum Type { OK, FAIL, INFO }

  final long id;
  final String process;
  final F f;
  final String key;
  /** The value written (create, update); null for delete and get. */
  final String value;
  /** Update only: the compare-and-set version. */
  final long expectedVersion;
  final long invokeNanos;

  volatile Type type;
  volatile long completeNanos = Long.MAX_VALUE;
  /** OK create/update: the new version; OK get: the version read. */
  volatile long resultVersion = -1;
  /** OK get: the value read. */
  volatile String resultValue;
  /** FAIL: the gRPC status code (ALREADY_EXISTS, NOT_FOUND, FAILED_PRECONDITION); INFO: why. */
  volatile String error;

  Op(long id, String process, F f, String key, String value, long expectedVersion, long invokeNanos) {
    this.id = id;
    this.process = process;
    this.f = f;
    this.key = key;
    this.value = value;
    this.expectedVersion = expectedVersion;
    this.invokeNanos = invokeNanos;
  }

  /** For synthetic histories in tests. */
  static Op of(long id, String process, F f, String key, String value, long expectedVersion, long invoke) {
    return new Op(id, process, f, key, value, expectedVersion, invoke);
  }

  Op ok(long completeAt, long version, String readValue) {
    this.type = Type.OK;
    this.completeNanos = completeAt;
    this.resultVersion = version;
    this.resultValue = readValue;
    return this;
  }

  Op fail(long completeAt, String code) {
    this.type = Type.FAIL;
    this.completeNanos = completeAt;
    this.error = code;
    return this;
  }

  Op info(String why) {
    this.type = Type.INFO;
    this.completeNanos = Long.MAX_VALUE;
    this.error = why;
    return this;
  }

  boolean isWrite() {
    return f != F.GET;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    s.append('#').append(id).append(' ').append(process).append(' ').append(f.name().toLowerCase()).append(' ').append(key);
    if (value != null) {
      s.append(" value=").append(value);
    }
    if (f == F.UPDATE) {
      s.append(" expected=").append(expectedVersion);
    }
    s.append(" -> ").append(type == null ? "pending" : type.name().toLowerCase());
    if (type == Type.OK && resultVersion >= 0) {
      s.append(" version=").append(resultVersion);
    }
    if (type == Type.OK && f == F.GET) {
      s.append(" read=").append(resultValue);
    }
    if (error != null) {
      s.append(" (").append(error).append(')');
    }
    s.append(" [").append(invokeNanos).append(", ").append(completeNanos == Long.MAX_VALUE ? "inf" : completeNanos).append(']');
    return s.toString();
  }
}
