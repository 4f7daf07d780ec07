package io.raftcron.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.Executor;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ShellExecutor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Plain HTTP/1.1 calls to a node's HTTP endpoint, and JSON parsed back into API messages. */
final class HttpTestClient {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private HttpTestClient() {}

  static HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)).GET());
  }

  static HttpResponse<String> post(String url, String json) {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  /**
   * Waits until every node answers the API and knows the leader's gRPC address (its registration
   * has committed), so that any node can forward writes.
   */
  static void awaitLeaderKnownEverywhere(LocalCluster cluster) {
    await().atMost(Duration.ofSeconds(30)).until(() -> cluster.leader().isPresent());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                cluster.httpUrls().stream()
                    .allMatch(url -> {
                      HttpResponse<String> status = get(url + "/api/v1/cluster");
                      return status.statusCode() == 200 && parse(status.body(), ClusterStatus.getDefaultInstance()).getLeaderId().length() > 0;
                    }));
  }

  /** The JSON of a message of the same type as {@code prototype}. */
  @SuppressWarnings("unchecked")
  static <M extends Message> M parse(String json, M prototype) {
    Message.Builder builder = prototype.newBuilderForType();
    try {
      JsonFormat.parser().merge(json, builder);
    } catch (IOException e) {
      throw new UncheckedIOException("not a JSON " + prototype.getDescriptorForType().getFullName() + ": " + json, e);
    }
    return (M) builder.build();
  }

  /**
   * POSTs until the answer is not 503 (no leader yet, or a leader change: clients retry those) and
   * returns it.
   */
  static HttpResponse<String> postRetrying(String url, String json) {
    return retrying(() -> post(url, json));
  }

  /** GETs until the answer is not 503, like {@link #postRetrying}. */
  static HttpResponse<String> getRetrying(String url) {
    return retrying(() -> get(url));
  }

  private static HttpResponse<String> retrying(java.util.concurrent.Callable<HttpResponse<String>> call) {
    return await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(call, response -> response.statusCode() != 503);
  }

  /** Creates a job through {@code url} (a CreateJob route) and checks that it was created. */
  static void assertCreated(String url, String json) {
    HttpResponse<String> created = postRetrying(url, json);
    assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
  }

  /** A job spec running {@code command}, as JSON. */
  static String spec(String name, String schedule, String command) {
    return json(
        JobSpec.newBuilder()
            .setName(name)
            .setSchedule(schedule)
            .setExecutor(Executor.newBuilder().setShell(ShellExecutor.newBuilder().setCommand(command)))
            .build());
  }

  static String createJob(String name, String schedule) {
    return "{\"spec\":" + spec(name, schedule, "true") + "}";
  }

  static String json(Message message) {
    try {
      return JsonFormat.printer().print(message);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
