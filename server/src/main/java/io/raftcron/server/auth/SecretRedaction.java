package io.raftcron.server.auth;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.raftcron.proto.Job;
import io.raftcron.proto.JobSpec;
import io.raftcron.proto.ShellExecutor;
import io.raftcron.proto.WorkerServiceGrpc;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Environment values marked secret ({@code secret_env}) leave a node only in a worker's poll.
 * Every other answer, whatever its method (and so every CLI, JSON or UI view), shows them as
 * {@value #MASK}. An update that sends the mask back keeps the stored value, so that reading a job,
 * changing it and writing it back does not replace a secret with the mask.
 */
public final class SecretRedaction implements ServerInterceptor {
  public static final String MASK = "***";
  private static final String POLL = WorkerServiceGrpc.getPollRunsMethod().getFullMethodName();
  private static final Map<Descriptor, Boolean> MAY_HOLD_SHELL = new ConcurrentHashMap<>();

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (call.getMethodDescriptor().getFullMethodName().equals(POLL)) {
      return next.startCall(call, headers);
    }
    return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
      @Override
      @SuppressWarnings("unchecked")
      public void sendMessage(R message) {
        super.sendMessage(message instanceof Message m ? (R) redact(m) : message);
      }
    }, headers);
  }

  /** {@code message} with every secret environment value inside it masked. */
  public static Message redact(Message message) {
    if (message instanceof ShellExecutor shell) {
      return redactShell(shell);
    }
    if (!mayHoldShell(message.getDescriptorForType())) {
      return message;
    }
    Message.Builder changed = null;
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || !mayHoldShell(field.getMessageType())) {
        continue;
      }
      if (field.isRepeated()) {
        for (int i = 0; i < message.getRepeatedFieldCount(field); i++) {
          Message child = (Message) message.getRepeatedField(field, i);
          Message redacted = redact(child);
          if (redacted != child) {
            changed = changed == null ? message.toBuilder() : changed;
            changed.setRepeatedField(field, i, redacted);
          }
        }
      } else if (message.hasField(field)) {
        Message child = (Message) message.getField(field);
        Message redacted = redact(child);
        if (redacted != child) {
          changed = changed == null ? message.toBuilder() : changed;
          changed.setField(field, redacted);
        }
      }
    }
    return changed == null ? message : changed.build();
  }

  private static ShellExecutor redactShell(ShellExecutor shell) {
    // An answer forwarded from the leader arrives masked already: leave it as it is.
    if (shell.getSecretEnvList().stream().allMatch(key -> MASK.equals(shell.getEnvMap().getOrDefault(key, MASK)))) {
      return shell;
    }
    ShellExecutor.Builder masked = shell.toBuilder();
    for (String key : shell.getSecretEnvList()) {
      if (shell.containsEnv(key)) {
        masked.putEnv(key, MASK);
      }
    }
    return masked.build();
  }

  /**
   * {@code update} with each secret value that is just the mask replaced by the value stored in
   * {@code current}: the client sent back what it read. A mask for a key with no stored value stays
   * as given (then it is the value).
   */
  public static JobSpec keepStoredSecrets(JobSpec update, Optional<Job> current) {
    ShellExecutor shell = update.getExecutor().getShell();
    if (current.isEmpty() || shell.getSecretEnvCount() == 0) {
      return update;
    }
    Map<String, String> stored = current.get().getSpec().getExecutor().getShell().getEnvMap();
    ShellExecutor.Builder merged = shell.toBuilder();
    for (String key : shell.getSecretEnvList()) {
      if (MASK.equals(shell.getEnvMap().get(key)) && stored.containsKey(key)) {
        merged.putEnv(key, stored.get(key));
      }
    }
    JobSpec.Builder spec = update.toBuilder();
    spec.getExecutorBuilder().setShell(merged);
    return spec.build();
  }

  private static boolean mayHoldShell(Descriptor type) {
    return MAY_HOLD_SHELL.computeIfAbsent(type, t -> reaches(t, new HashSet<>()));
  }

  private static boolean reaches(Descriptor type, Set<Descriptor> seen) {
    if (type.equals(ShellExecutor.getDescriptor())) {
      return true;
    }
    if (!seen.add(type)) {
      return false;
    }
    for (FieldDescriptor field : type.getFields()) {
      if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && reaches(field.getMessageType(), seen)) {
        return true;
      }
    }
    return false;
  }
}
