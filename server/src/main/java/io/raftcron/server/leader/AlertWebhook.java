package io.raftcron.server.leader;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.raftcron.proto.AlertEvent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Posts alert transitions to an operator's URL: one HTTP POST per transition, the body an
 * {@link AlertEvent} in protobuf's JSON form. Anything but a 2xx answer is a failed delivery.
 */
public final class AlertWebhook {
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  private final URI url;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

  public AlertWebhook(URI url) {
    this.url = check(url);
  }

  /** Refuses anything but an absolute http(s) URL with a host. */
  public static URI check(URI url) {
    if ((!"http".equals(url.getScheme()) && !"https".equals(url.getScheme())) || url.getHost() == null) {
      throw new IllegalArgumentException("--alert-webhook must be an http or https URL, not '" + url + "'");
    }
    return url;
  }

  CompletableFuture<Void> post(AlertEvent event) {
    String body;
    try {
      body = JsonFormat.printer().print(event);
    } catch (InvalidProtocolBufferException e) {
      return CompletableFuture.failedFuture(e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .thenAccept(
            response -> {
              if (response.statusCode() / 100 != 2) {
                throw new IllegalStateException(url + " answered HTTP " + response.statusCode());
              }
            });
  }

  @Override
  public String toString() {
    return url.toString();
  }
}
