package io.raftcron.server.http;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Friendly GET routes for the common reads, each one a gRPC method with a request made from the
 * path: they go through the same gateway as {@code POST /api/v1/<Service>/<Method>}.
 */
final class RestAliases {
  /** A gateway call: the method and its request as JSON. */
  record Call(String serviceMethod, String json) {}

  private RestAliases() {}

  /**
   * The call for the decoded path segments after /api/v1 (e.g. ["jobs", "backup", "runs"]) and
   * the query parameters, or empty when no alias has that shape.
   */
  static Optional<Call> resolve(List<String> segments, Map<String, List<String>> query) {
    if (segments.equals(List.of("jobs"))) {
      return Optional.of(new Call("JobService/ListJobs", "{}"));
    }
    if (segments.equals(List.of("cluster"))) {
      return Optional.of(new Call("ClusterService/GetStatus", "{}"));
    }
    if (segments.size() == 2 && segments.get(0).equals("jobs")) {
      return Optional.of(new Call("JobService/GetJob", JsonStrings.object("name", segments.get(1))));
    }
    if (segments.size() == 3 && segments.get(0).equals("jobs") && segments.get(2).equals("runs")) {
      String limit = query.getOrDefault("limit", List.of("0")).get(0);
      // The limit stays a string: proto3 JSON accepts "20" for an int32 and the gateway's parser
      // answers 400 for anything else.
      return Optional.of(new Call("RunService/ListRuns", JsonStrings.object("job", segments.get(1), "limit", limit)));
    }
    return Optional.empty();
  }
}
