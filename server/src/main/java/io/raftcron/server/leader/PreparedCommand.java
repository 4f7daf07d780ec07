package io.raftcron.server.leader;

import io.raftcron.proto.Command;
import java.util.Arrays;

/**
 * A command serialized before it is proposed, without the stamp (leader time, node, term) that
 * only the proposal can give it. The stamp is appended as a second serialized Command: protobuf
 * parses concatenated messages as one message merged from both, so a large entry's bytes are
 * made ahead of its slot rather than at it.
 */
record PreparedCommand(Command command, byte[] bytes) {
  static PreparedCommand of(Command.Builder command) {
    // A second leader_time would merge into the first field by field: the stamp must be the only one.
    if (command.hasLeaderTime() || !command.getLeaderNode().isEmpty() || command.getTerm() != 0) {
      throw new IllegalArgumentException("a prepared command is stamped only when it is proposed");
    }
    Command built = command.build();
    return new PreparedCommand(built, built.toByteArray());
  }

  /** The command with {@code stamp}'s fields merged in, as a replica parses {@link #bytesStampedWith}. */
  Command stampedWith(Command stamp) {
    return command.toBuilder().mergeFrom(stamp).build();
  }

  byte[] bytesStampedWith(Command stamp) {
    byte[] tail = stamp.toByteArray();
    byte[] all = Arrays.copyOf(bytes, bytes.length + tail.length);
    System.arraycopy(tail, 0, all, bytes.length, tail.length);
    return all;
  }
}
