package io.raftcron.server.auth;

import io.grpc.Context;
import java.util.Optional;

/** Who made a call: the name and role of its token, and for a worker token the worker id it is bound to. */
public record Principal(String name, Role role, String workerId) {
  static final Context.Key<Principal> CURRENT = Context.key("raftcron-principal");

  /** The caller of the current gRPC call; empty when authentication is off. */
  public static Optional<Principal> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /** A worker token acts only for its own worker id; any other role is not bound to one. */
  public boolean mayActAsWorker(String worker) {
    return role != Role.WORKER || workerId.equals(worker);
  }

  @Override
  public String toString() {
    return name + " (" + role.label() + (role == Role.WORKER ? " " + workerId : "") + ")";
  }
}
