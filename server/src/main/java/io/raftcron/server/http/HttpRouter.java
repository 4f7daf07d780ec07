package io.raftcron.server.http;

import io.netty.handler.codec.http.QueryStringDecoder;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** Which answer an HTTP request gets: health, metrics, the JSON API or a UI file. */
final class HttpRouter {
  private static final String API = "/api/v1";

  private final GrpcJsonGateway gateway;
  private final NodeReadiness readiness;
  private final MetricsPage metrics;
  private final UiFiles ui = new UiFiles();
  private final Counter requests;

  HttpRouter(GrpcJsonGateway gateway, NodeReadiness readiness, PrometheusRegistry registry) {
    this.gateway = gateway;
    this.readiness = readiness;
    this.metrics = new MetricsPage(registry);
    this.requests =
        Counter.builder()
            .name("raftcron_http_requests_total")
            .help("HTTP requests answered by this node, by route and status code")
            .labelNames("route", "code")
            .register(registry);
  }

  /** The answer to one request; {@code contentType} and {@code authorization} are its headers, or null. */
  CompletableFuture<HttpReply> route(String method, String uri, String body, String contentType, String authorization) {
    QueryStringDecoder decoder = new QueryStringDecoder(uri);
    String path = decoder.rawPath();
    boolean get = method.equals("GET");
    String route;
    CompletableFuture<HttpReply> reply;
    if (path.equals("/healthz")) {
      route = "healthz";
      reply = get ? done(HttpReply.text(200, "ok\n")) : notAllowed(method);
    } else if (path.equals("/readyz")) {
      route = "readyz";
      reply = get ? done(ready()) : notAllowed(method);
    } else if (path.equals("/metrics")) {
      route = "metrics";
      reply = get ? done(metrics.scrape(decoder.parameters().getOrDefault("name[]", List.of()))) : notAllowed(method);
    } else if (path.equals("/") || path.equals("/ui") || path.equals("/ui/")) {
      route = "ui";
      reply = get ? done(uiFile("index.html")) : notAllowed(method);
    } else if (path.startsWith("/ui/")) {
      route = "ui";
      reply = get ? done(uiFile(path.substring("/ui/".length()))) : notAllowed(method);
    } else if (path.equals(API) || path.startsWith(API + "/")) {
      route = "api";
      reply = api(method, segments(path.substring(API.length())), decoder, body, contentType, authorization);
    } else {
      route = "other";
      reply = done(HttpReply.error(404, "NOT_FOUND", "no route " + path));
    }
    return reply.thenApply(
        r -> {
          requests.labelValues(route, Integer.toString(r.status())).inc();
          return r;
        });
  }

  private CompletableFuture<HttpReply> api(
      String method, List<String> segments, QueryStringDecoder decoder, String body, String contentType,
      String authorization) {
    if (segments.isEmpty()) {
      return method.equals("GET") ? done(HttpReply.json(200, gateway.methodsJson())) : notAllowed(method);
    }
    // Service names are capitalised ("JobService"), aliases are not ("jobs").
    if (segments.size() == 2 && Character.isUpperCase(segments.get(0).charAt(0))) {
      if (!method.equals("POST")) {
        return notAllowed(method);
      }
      // A web page can POST text/plain to any origin without the browser asking first (no CORS
      // preflight); application/json it cannot, so no other site can drive the API from a browser.
      if (!isJson(contentType)) {
        return done(HttpReply.error(415, "UNSUPPORTED_MEDIA_TYPE",
            "an API call's body must be sent with Content-Type: application/json"));
      }
      return gateway.call(segments.get(0) + "/" + segments.get(1), body, authorization);
    }
    Optional<RestAliases.Call> alias = RestAliases.resolve(segments, decoder.parameters());
    if (alias.isEmpty()) {
      return done(HttpReply.error(404, "NOT_FOUND", "no API route " + decoder.rawPath() + "; GET /api/v1 lists the methods"));
    }
    return method.equals("GET") ? gateway.call(alias.get().serviceMethod(), alias.get().json(), authorization) : notAllowed(method);
  }

  private static boolean isJson(String contentType) {
    return contentType != null && contentType.split(";", 2)[0].trim().equalsIgnoreCase("application/json");
  }

  private HttpReply ready() {
    return readiness
        .notReadyReason()
        .map(reason -> HttpReply.text(503, "not ready: " + reason + "\n"))
        .orElseGet(() -> HttpReply.text(200, readiness.readyMessage() + "\n"));
  }

  private HttpReply uiFile(String name) {
    return ui.get(name).orElseGet(() -> HttpReply.error(404, "NOT_FOUND", "no UI file " + name));
  }

  /**
   * "/jobs/a%20b/runs" → ["jobs", "a b", "runs"]; empty segments are dropped. A '+' in a path is a
   * plus, not a space (that is a query-string rule). A bad escape throws IllegalArgumentException.
   */
  private static List<String> segments(String rawPath) {
    List<String> out = new ArrayList<>();
    Arrays.stream(rawPath.split("/"))
        .filter(s -> !s.isEmpty())
        .forEach(s -> out.add(QueryStringDecoder.decodeComponent(s.replace("+", "%2B"))));
    return out;
  }

  private static CompletableFuture<HttpReply> notAllowed(String method) {
    return done(HttpReply.error(405, "METHOD_NOT_ALLOWED", method + " is not allowed here"));
  }

  private static CompletableFuture<HttpReply> done(HttpReply reply) {
    return CompletableFuture.completedFuture(reply);
  }
}
