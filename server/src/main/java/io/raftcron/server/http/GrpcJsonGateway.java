package io.raftcron.server.http;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.ListValue;
import com.google.protobuf.Message;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.raftcron.server.auth.AuthInterceptor;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * JSON over HTTP for every unary gRPC method of the node: {@code POST /api/v1/<Service>/<Method>}
 * with the request message as proto3 JSON answers the response message as JSON. The methods are
 * discovered from the service definitions the gRPC server registered, and each call goes through
 * an in-process channel to a server holding those same definitions (same service instances, same
 * interceptors), so HTTP and gRPC share one implementation, one set of errors and one auth check.
 */
final class GrpcJsonGateway implements AutoCloseable {
  /** Longer than the longest call a service allows (a worker's 60 s long poll). */
  static final long CALL_DEADLINE_SECONDS = 70;

  private static final JsonFormat.Parser PARSER = JsonFormat.parser();
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().includingDefaultValueFields();

  /** "JobService/CreateJob" → the method; its request marshaller knows the request type. */
  private final Map<String, MethodDescriptor<?, ?>> methods = new TreeMap<>();
  private final Server server;
  private final ManagedChannel channel;

  GrpcJsonGateway(List<ServerServiceDefinition> services) throws IOException {
    String name = InProcessServerBuilder.generateName();
    InProcessServerBuilder builder = InProcessServerBuilder.forName(name);
    for (ServerServiceDefinition service : services) {
      builder.addService(service);
      String serviceName = simpleName(service.getServiceDescriptor().getName());
      for (ServerMethodDefinition<?, ?> method : service.getMethods()) {
        MethodDescriptor<?, ?> descriptor = method.getMethodDescriptor();
        if (!(descriptor.getRequestMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> proto
            && proto.getMessagePrototype() instanceof Message)) {
          continue; // not protobuf: nothing to map JSON onto
        }
        methods.put(serviceName + "/" + descriptor.getBareMethodName(), descriptor);
      }
    }
    this.server = builder.build().start();
    this.channel = InProcessChannelBuilder.forName(name).build();
  }

  /** The routes, e.g. "JobService/CreateJob", as a JSON array (the answer to GET /api/v1). */
  String methodsJson() {
    ListValue.Builder list = ListValue.newBuilder();
    methods.keySet().forEach(m -> list.addValues(Value.newBuilder().setStringValue(m)));
    return print(list.build());
  }

  /**
   * Calls {@code serviceMethod} ("JobService/GetJob") with the request parsed from {@code json};
   * {@code authorization} (may be null) travels as the gRPC "authorization" header.
   */
  CompletableFuture<HttpReply> call(String serviceMethod, String json, String authorization) {
    MethodDescriptor<?, ?> method = methods.get(serviceMethod);
    if (method == null) {
      return CompletableFuture.completedFuture(
          HttpReply.error(404, "NOT_FOUND", "no method " + serviceMethod + "; GET /api/v1 lists them"));
    }
    if (method.getType() != MethodDescriptor.MethodType.UNARY) {
      return CompletableFuture.completedFuture(
          HttpReply.error(501, "UNIMPLEMENTED", serviceMethod + " streams: call it over gRPC"));
    }
    @SuppressWarnings("unchecked")
    MethodDescriptor<Message, Message> unary = (MethodDescriptor<Message, Message>) method;
    Message request;
    try {
      request = parse(unary, json);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return CompletableFuture.completedFuture(
          HttpReply.error(400, "INVALID_ARGUMENT", "the body is not a JSON " + requestType(unary) + ": " + e.getMessage()));
    }
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(AuthInterceptor.AUTHORIZATION, authorization);
    }
    var call =
        ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers))
            .newCall(unary, CallOptions.DEFAULT.withDeadlineAfter(CALL_DEADLINE_SECONDS, TimeUnit.SECONDS));
    CompletableFuture<HttpReply> reply = new CompletableFuture<>();
    Futures.addCallback(
        ClientCalls.futureUnaryCall(call, request),
        new FutureCallback<Message>() {
          @Override
          public void onSuccess(Message response) {
            try {
              reply.complete(HttpReply.json(200, print(response)));
            } catch (RuntimeException e) {
              reply.complete(HttpReply.error(500, "INTERNAL", e.getMessage()));
            }
          }

          @Override
          public void onFailure(Throwable t) {
            Status status = Status.fromThrowable(t);
            String message = status.getDescription() == null ? status.getCode().name() : status.getDescription();
            reply.complete(HttpReply.error(GrpcHttpStatus.of(status.getCode()), status.getCode().name(), message));
          }
        },
        MoreExecutors.directExecutor());
    return reply;
  }

  private static Message parse(MethodDescriptor<Message, Message> method, String json)
      throws InvalidProtocolBufferException {
    Message.Builder builder = prototype(method).newBuilderForType();
    String problem = json.isBlank() ? null : StrictJson.problem(json);
    if (problem != null) {
      throw new InvalidProtocolBufferException(problem);
    }
    PARSER.merge(json.isBlank() ? "{}" : json, builder);
    return builder.build();
  }

  private static String requestType(MethodDescriptor<Message, Message> method) {
    return prototype(method).getDescriptorForType().getFullName();
  }

  @SuppressWarnings("unchecked")
  private static Message prototype(MethodDescriptor<Message, Message> method) {
    // Only methods with protobuf marshallers are registered (see the constructor).
    return ((MethodDescriptor.PrototypeMarshaller<Message>) method.getRequestMarshaller()).getMessagePrototype();
  }

  private static String print(com.google.protobuf.MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown types fail to print; the API has none.
      throw new IllegalStateException("cannot print " + message.getDescriptorForType().getFullName(), e);
    }
  }

  private static String simpleName(String fullServiceName) {
    return fullServiceName.substring(fullServiceName.lastIndexOf('.') + 1);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    server.shutdownNow();
  }
}
