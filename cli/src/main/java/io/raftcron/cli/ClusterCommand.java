package io.raftcron.cli;

import io.raftcron.client.RaftcronClient;
import io.raftcron.client.RaftcronException;
import io.raftcron.proto.BackupHeader;
import io.raftcron.proto.ClusterStatus;
import io.raftcron.proto.MembershipResponse;
import io.raftcron.proto.SnapshotResponse;
import io.raftcron.sm.store.BackupArchive;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "cluster",
    description = "Inspect and operate the cluster.",
    subcommands = {
      ClusterCommand.Status.class,
      ClusterCommand.AddNode.class,
      ClusterCommand.RemoveNode.class,
      ClusterCommand.TransferLeader.class,
      ClusterCommand.Snapshot.class,
      ClusterCommand.Backup.class
    })
final class ClusterCommand {

  @Command(name = "status", description = "The leader, its term, the configuration, and each node's role and applied index.")
  static final class Status extends ClientCommand {
    @Override
    void run(RaftcronClient client) {
      ClusterStatus status = client.clusterStatus();
      print(status, out -> Views.cluster(out, status));
    }
  }

  @Command(
      name = "add-node",
      description = "Add a node started with `server --join` as a voter; it catches up (by snapshot install) first.")
  static final class AddNode extends ClientCommand {
    @Option(names = "--raft-addr", required = true, paramLabel = "IP:PORT", description = "The new node's Raft address.")
    String raftAddr;

    @Option(names = "--node-id", paramLabel = "ID", description = "The new node's id, checked against the registry.")
    String nodeId = "";

    @Override
    void run(RaftcronClient client) {
      MembershipResponse membership = client.addNode(raftAddr, nodeId);
      print(membership, out -> configuration(out, "added " + raftAddr, membership));
    }
  }

  @Command(
      name = "remove-node",
      description = "Remove a node from the configuration and the registry (not the leader: transfer-leader first).")
  static final class RemoveNode extends ClientCommand {
    @Option(names = "--raft-addr", paramLabel = "IP:PORT", description = "The node's Raft address.")
    String raftAddr = "";

    @Option(names = "--node-id", paramLabel = "ID", description = "The node's registered id.")
    String nodeId = "";

    @Override
    void validate() {
      if (raftAddr.isEmpty() == nodeId.isEmpty()) {
        throw usageError("give the node to remove by --node-id or by --raft-addr (one of them)");
      }
    }

    @Override
    void run(RaftcronClient client) {
      MembershipResponse membership = client.removeNode(raftAddr, nodeId);
      print(membership, out -> configuration(out, "removed " + (nodeId.isEmpty() ? raftAddr : nodeId), membership));
    }
  }

  @Command(
      name = "transfer-leader",
      description = "Move leadership to another voter and wait until it leads.")
  static final class TransferLeader extends ClientCommand {
    @Option(names = "--to", paramLabel = "IP:PORT", description = "The new leader's Raft address (default: the most up-to-date voter).")
    String to = "";

    @Override
    void run(RaftcronClient client) {
      String before = client.clusterStatus().getLeaderId();
      client.transferLeader(to);
      Instant giveUp = Instant.now().plus(timeout);
      while (true) {
        ClusterStatus status = client.clusterStatus();
        String leader = status.getLeaderId();
        boolean moved = !leader.isEmpty() && !leader.equals(before)
            && (to.isEmpty() || status.getNodesList().stream()
                .anyMatch(n -> n.getNodeId().equals(leader) && n.getRaftAddr().equals(to)));
        if (moved) {
          print(status, out -> out.println("leader: " + leader + " (was " + before + "), term " + status.getTerm()));
          return;
        }
        if (Instant.now().isAfter(giveUp)) {
          throw new RaftcronException(io.grpc.Status.Code.DEADLINE_EXCEEDED,
              "leadership did not move within " + timeout.toSeconds() + " s (leader now: "
                  + (leader.isEmpty() ? "none" : leader) + ")", null);
        }
        pause();
      }
    }
  }

  @Command(name = "snapshot", description = "Make the leader snapshot its state now and compact its Raft log.")
  static final class Snapshot extends ClientCommand {
    @Override
    void run(RaftcronClient client) {
      SnapshotResponse snapshot = client.snapshot();
      print(snapshot, out -> out.println("node " + snapshot.getNodeId() + " snapshotted at applied index "
          + snapshot.getAppliedIndex()));
    }
  }

  @Command(
      name = "backup",
      description = "Write a consistent backup of the whole state (every write acknowledged before the call) to a file.")
  static final class Backup extends ClientCommand {
    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The backup file to write (must not exist).")
    Path out;

    @Override
    void validate() {
      if (Files.exists(out)) {
        throw usageError(out + " exists; choose another --out");
      }
    }

    @Override
    void run(RaftcronClient client) {
      Path partial = out.resolveSibling(out.getFileName() + ".partial");
      try {
        client.backup(partial);
        BackupHeader header = BackupArchive.read(partial, Optional.empty()); // never keep a file we cannot restore
        Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
        long size = Files.size(out);
        print(header, text -> text.println("backup of applied index " + header.getAppliedIndex() + " (data format "
            + header.getStoreFormatVersion() + ", taken by " + header.getTakenBy() + ") written to " + out + ": "
            + size + " bytes"));
      } catch (IOException e) {
        throw new UncheckedIOException("backup failed: " + e.getMessage(), e);
      } finally {
        try {
          Files.deleteIfExists(partial);
        } catch (IOException ignored) {
          // nothing more to do about a leftover partial file
        }
      }
    }
  }

  private static void configuration(PrintWriter out, String what, MembershipResponse membership) {
    out.println(what + "; voters: " + String.join(",", membership.getVotersList())
        + (membership.getLearnersCount() > 0 ? "; learners: " + String.join(",", membership.getLearnersList()) : ""));
  }

  private static void pause() {
    try {
      Thread.sleep(200);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RaftcronException(io.grpc.Status.Code.CANCELLED, "interrupted", e);
    }
  }
}
