package io.raftcron.server.auth;

import java.util.Locale;

/**
 * What a token may do. {@code admin} may do everything, {@code operator} everything a viewer may
 * plus job and run writes, {@code viewer} only reads; {@code worker} only polls, heartbeats and
 * completes, and only as the worker id its token is bound to.
 */
public enum Role {
  ADMIN,
  OPERATOR,
  VIEWER,
  WORKER;

  /** Whether a caller with this role may call a method that needs {@code required}. */
  public boolean grants(Role required) {
    return switch (this) {
      case ADMIN -> true;
      case OPERATOR -> required == OPERATOR || required == VIEWER;
      case VIEWER -> required == VIEWER;
      case WORKER -> required == WORKER;
    };
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses {@code admin}, {@code operator}, {@code viewer} or {@code worker}, any case. */
  public static Role parse(String text) {
    for (Role role : values()) {
      if (role.label().equalsIgnoreCase(text)) {
        return role;
      }
    }
    throw new IllegalArgumentException("role '" + text + "' is not one of admin, operator, viewer, worker");
  }
}
