package io.raftcron.server.leader;

import static org.assertj.core.api.Assertions.assertThat;

import io.raftcron.proto.Command;
import io.raftcron.proto.FireSlots;
import io.raftcron.proto.SlotDecision;
import io.raftcron.sm.Times;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A command serialized ahead and stamped at its proposal reads as the command stamped whole. */
class PreparedCommandTest {
  private static final Instant SLOT = Instant.parse("2026-03-01T10:00:01Z");

  @Test
  void theStampAppendedToPreparedBytesParsesAsTheStampedCommand() throws Exception {
    Command.Builder fire = Command.newBuilder().setFireSlots(FireSlots.newBuilder()
        .addDecisions(SlotDecision.newBuilder().setJob("a").setSlot(Times.toTimestamp(SLOT)).setFire(true))
        .addDecisions(SlotDecision.newBuilder().setJob("b").setSlot(Times.toTimestamp(SLOT)).setFire(true)));
    PreparedCommand prepared = PreparedCommand.of(fire.clone());
    Command stamp = Command.newBuilder()
        .setLeaderTime(Times.toTimestamp(SLOT.plusMillis(3)))
        .setLeaderNode("n2")
        .setTerm(7)
        .build();

    Command stampedWhole = fire.mergeFrom(stamp).build();
    Command parsed = Command.parseFrom(prepared.bytesStampedWith(stamp));
    assertThat(parsed).isEqualTo(stampedWhole);
    assertThat(prepared.stampedWith(stamp)).isEqualTo(stampedWhole);
    assertThat(parsed.getFireSlots().getDecisionsCount()).isEqualTo(2);
    assertThat(parsed.getTerm()).isEqualTo(7);
  }
}
