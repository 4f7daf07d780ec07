package io.raftcron.bench.jmh;

import io.raftcron.sm.schedule.Schedule;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The leader computes a job's next slot after every fire (FireScheduler) and the applier checks
 * that a decided slot is a real one: Schedule.nextAfter is on the hot path of every fire. Each
 * call walks one slot further, so the DST schedules keep crossing the 2026 transitions.
 * {@code nextAfterSharedBy1000Jobs} is the usual case of many jobs on one schedule: 1000 jobs ask
 * about the same slot before the walk moves on (the schedule remembers recent answers).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ScheduleBenchmark {
  /** expression|zone */
  @Param({
    "*/5 * * * *|UTC",
    "*/2 * * * * *|UTC",
    "@every 10s|UTC",
    "0 * * * *|Europe/Berlin",
    "30 2 * * *|Europe/Berlin",
    "30 1 * * *|Australia/Lord_Howe"
  })
  String schedule;

  private Schedule parsed;
  private Instant start;
  private Instant t;
  private Instant shared;
  private int askedAboutShared;

  @Setup
  public void parse() {
    String[] parts = schedule.split("\\|");
    parsed = Schedule.parse(parts[0], parts[1]);
    start = Instant.parse("2026-03-27T00:00:00Z"); // two days before the European spring transition
    t = start;
    shared = start;
  }

  @Benchmark
  public Instant nextAfter() {
    Instant next = parsed.nextAfter(t).orElse(start);
    // Walk through a year of slots, then start over, so the benchmark stays near the transitions.
    t = next.isAfter(start.plusSeconds(366L * 86_400)) ? start : next;
    return next;
  }

  @Benchmark
  public Instant nextAfterSharedBy1000Jobs() {
    Instant next = parsed.nextAfter(shared).orElse(start);
    if (++askedAboutShared == 1000) {
      askedAboutShared = 0;
      shared = next.isAfter(start.plusSeconds(366L * 86_400)) ? start : next;
    }
    return next;
  }
}
