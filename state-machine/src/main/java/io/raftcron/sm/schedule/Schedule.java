package io.raftcron.sm.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.ZonedDateTime;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * A parsed, validated schedule in a time zone. Immutable and thread-safe; it never reads a clock.
 *
 * <p>Syntax:
 * <ul>
 *   <li>5-field Unix cron {@code minute hour day-of-month month day-of-week}, with ranges, lists, steps and
 *       month/day names ({@code 0 9 * * MON-FRI}). When both day fields are restricted a day matches if
 *       either matches, as in Unix cron.
 *   <li>6-field cron with a leading seconds field ({@code *&#47;2 * * * * *}), otherwise identical.
 *   <li>Macros: {@code @yearly}, {@code @annually}, {@code @monthly}, {@code @weekly}, {@code @daily},
 *       {@code @midnight}, {@code @hourly}.
 *   <li>{@code @every <duration>} with Go-style durations ({@code 10s}, {@code 1m30s}, {@code 2h}; units
 *       {@code h}, {@code m}, {@code s}, {@code ms}). The duration must be a whole number of seconds from 1s
 *       to 24h (use cron for longer periods). Slot k is at k × duration after 1970-01-01T00:00:00Z, so it
 *       does not depend on the zone or on when the job was created.
 * </ul>
 * Slots are whole seconds. An expression that can never fire (such as 30 February) is rejected.
 *
 * <p>Cron fields are matched against the wall clock of the zone. Daylight-saving policy:
 * <ul>
 *   <li>If the hour field matches every hour ({@code *}, {@code 0-23}, …) the schedule follows elapsed time:
 *       its slots are exactly the instants whose local time matches. A wall-clock time repeated by a
 *       fall-back transition fires at both occurrences, and times skipped by a spring-forward gap do not
 *       fire, so hourly and minutely jobs keep their spacing through the transition.
 *   <li>Otherwise each matching wall-clock time fires exactly once: a repeated time at its first
 *       occurrence, and a time inside a gap at the end of the gap (a daily {@code 30 2 * * *} in
 *       Europe/Berlin runs at 03:00 on the spring-forward day). Several times in one gap collapse into
 *       that one slot.
 * </ul>
 * In both cases iterating {@link #nextAfter} gives strictly increasing instants, and the result does not
 * depend on where the iteration started. cron-utils on its own skips times in a gap and, when started
 * inside an overlap, fires a repeated time a second time; so it only ever sees UTC, where each local time
 * exists once, and this class maps local times to instants.
 */
public final class Schedule {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final String FIVE_FIELDS = "minute hour day-of-month month day-of-week";
  private static final String SIX_FIELDS = "second " + FIVE_FIELDS;
  private static final String ALLOWED =
      "use 5 cron fields (" + FIVE_FIELDS + "), 6 cron fields (" + SIX_FIELDS + "), "
          + "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly or @every <duration>";
  private static final Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *",
      "@annually", "0 0 1 1 *",
      "@monthly", "0 0 1 * *",
      "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *",
      "@midnight", "0 0 * * *",
      "@hourly", "0 * * * *");
  private static final Pattern EVERY = Pattern.compile("@every(?:\\s+(.*))?");
  private static final Pattern DURATION = Pattern.compile("(?:\\d+(?:ms|h|m|s))+");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|h|m|s)");
  private static final long MAX_EVERY_SECONDS = 24 * 3600;

  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  /** cron-utils' Unix definition with a seconds field in front: no Quartz '?', days combine as in Unix. */
  private static final CronParser WITH_SECONDS = new CronParser(unixWithSeconds());

  private final String expression;
  private final ZoneId zone;
  private final long everySeconds; // > 0 for @every, 0 for cron
  private final ExecutionTime cron; // evaluated in UTC only; null for @every
  private final boolean followsElapsedTime;

  private Schedule(String expression, ZoneId zone, long everySeconds, ExecutionTime cron,
      boolean followsElapsedTime) {
    this.expression = expression;
    this.zone = zone;
    this.everySeconds = everySeconds;
    this.cron = cron;
    this.followsElapsedTime = followsElapsedTime;
  }

  /**
   * Parses {@code expression} in {@code zoneId} ("" or null means UTC).
   *
   * @throws InvalidScheduleException saying what is wrong and what is allowed
   */
  public static Schedule parse(String expression, String zoneId) {
    ZoneId zone = parseZone(zoneId);
    String text = expression == null ? "" : expression.trim();
    if (text.isEmpty()) {
      throw new InvalidScheduleException("schedule is empty: " + ALLOWED);
    }
    Matcher every = EVERY.matcher(text);
    if (every.matches()) {
      return new Schedule(expression, zone, parseEvery(text, every.group(1)), null, false);
    }
    String cronText = text;
    if (text.startsWith("@")) {
      cronText = MACROS.get(text);
      if (cronText == null) {
        throw new InvalidScheduleException("unknown macro '" + text + "': " + ALLOWED);
      }
    }
    Cron parsed = parseCron(cronText);
    ExecutionTime executionTime = ExecutionTime.forCron(parsed);
    if (executionTime.nextExecution(LocalDate.EPOCH.atStartOfDay(ZoneOffset.UTC)).isEmpty()) {
      throw new InvalidScheduleException("schedule '" + text
          + "' never fires: no date matches its day-of-month and month fields (e.g. 30 February)");
    }
    return new Schedule(expression, zone, 0, executionTime, matchesEveryHour(parsed));
  }

  /** Resolves an IANA region id; "" or null means UTC. Fixed offsets and abbreviations are rejected. */
  static ZoneId parseZone(String zoneId) {
    if (zoneId == null || zoneId.isEmpty()) {
      return UTC;
    }
    if (!ZoneId.getAvailableZoneIds().contains(zoneId)) {
      throw new InvalidScheduleException(
          "unknown time zone '" + zoneId + "': use an IANA zone id such as Europe/Berlin or UTC");
    }
    return ZoneId.of(zoneId);
  }

  /** The first slot strictly after {@code t}, or empty if the schedule has no further slot. */
  public Optional<Instant> nextAfter(Instant t) {
    // Slots are whole seconds: the next slot after t is the next slot after t's whole second.
    t = t.truncatedTo(ChronoUnit.SECONDS);
    if (everySeconds > 0) {
      long k = Math.floorDiv(t.getEpochSecond(), everySeconds) + 1;
      return k > Instant.MAX.getEpochSecond() / everySeconds
          ? Optional.empty()
          : Optional.of(Instant.ofEpochSecond(k * everySeconds));
    }
    return followsElapsedTime ? nextByElapsedTime(t) : nextByWallClock(t);
  }

  /** True iff {@code t} is exactly a slot of this schedule. */
  public boolean isSlot(Instant t) {
    if (t.getNano() != 0) {
      return false;
    }
    if (everySeconds > 0) {
      return Math.floorMod(t.getEpochSecond(), everySeconds) == 0;
    }
    return nextAfter(t.minusNanos(1)).equals(Optional.of(t));
  }

  /** Number of slots in (after, through], stopping at {@code limit} (returns limit if there are more). */
  public long countSlots(Instant after, Instant through, long limit) {
    if (limit <= 0 || !through.isAfter(after)) {
      return 0;
    }
    if (everySeconds > 0) {
      // Slots are whole seconds, so comparing against the floored seconds is exact.
      long n = Math.floorDiv(through.getEpochSecond(), everySeconds)
          - Math.floorDiv(after.getEpochSecond(), everySeconds);
      return Math.min(n, limit);
    }
    long n = 0;
    for (Optional<Instant> slot = nextAfter(after);
        n < limit && slot.isPresent() && !slot.get().isAfter(through);
        slot = nextAfter(slot.get())) {
      n++;
    }
    return n;
  }

  public String expression() {
    return expression;
  }

  public ZoneId zone() {
    return zone;
  }

  @Override
  public String toString() {
    return "Schedule[" + expression + " in " + zone + "]";
  }

  /** Slots are the instants whose local time matches; walk one offset period at a time. */
  private Optional<Instant> nextByElapsedTime(Instant t) {
    ZoneRules rules = zone.getRules();
    Instant after = t;
    ZoneOffset offset = rules.getOffset(t);
    ZoneOffsetTransition end = rules.nextTransition(t);
    while (true) {
      Optional<LocalDateTime> local = nextLocal(LocalDateTime.ofInstant(after, offset));
      if (local.isEmpty()) {
        return Optional.empty();
      }
      Instant candidate = local.get().toInstant(offset);
      if (end == null || candidate.isBefore(end.getInstant())) {
        return Optional.of(candidate);
      }
      // The match lies beyond this offset period: search again from the period's end, in the next offset.
      after = end.getInstant().minusNanos(1);
      offset = end.getOffsetAfter();
      end = rules.nextTransition(end.getInstant());
    }
  }

  /** Each matching local time maps to one instant, monotonically; take the first mapped after t. */
  private Optional<Instant> nextByWallClock(Instant t) {
    LocalDateTime local = LocalDateTime.ofInstant(t, zone);
    ZoneOffsetTransition overlap = zone.getRules().getTransition(local);
    if (overlap != null && overlap.isOverlap() && !t.isBefore(overlap.getInstant())) {
      // t is in the second pass of a repeated hour, whose times all fired in the first pass: jump past
      // the hour instead of walking its (possibly 3600) matches one by one.
      local = overlap.getDateTimeBefore().minusNanos(1);
    }
    while (true) {
      Optional<LocalDateTime> next = nextLocal(local);
      if (next.isEmpty()) {
        return Optional.empty();
      }
      local = next.get();
      Instant candidate = resolve(local);
      if (candidate.isAfter(t)) {
        return Optional.of(candidate);
      }
    }
  }

  /** A time in a gap fires when the gap ends; a repeated time fires at its first occurrence. */
  private Instant resolve(LocalDateTime local) {
    ZoneOffsetTransition transition = zone.getRules().getTransition(local);
    if (transition == null) {
      return local.atZone(zone).toInstant();
    }
    return transition.isGap() ? transition.getInstant() : local.toInstant(transition.getOffsetBefore());
  }

  private Optional<LocalDateTime> nextLocal(LocalDateTime after) {
    return cron.nextExecution(after.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toLocalDateTime);
  }

  private static long parseEvery(String text, String duration) {
    String usage = ": use a whole number of seconds from 1s to 24h, e.g. @every 10s, @every 1m30s, @every 2h";
    if (duration == null || !DURATION.matcher(duration).matches()) {
      throw new InvalidScheduleException("invalid duration in '" + text + "'" + usage
          + " (units h, m, s, ms)");
    }
    long millis = 0;
    try {
      Matcher part = DURATION_PART.matcher(duration);
      while (part.find()) {
        long unit = switch (part.group(2)) {
          case "h" -> 3_600_000;
          case "m" -> 60_000;
          case "s" -> 1_000;
          default -> 1;
        };
        millis = Math.addExact(millis, Math.multiplyExact(Long.parseLong(part.group(1)), unit));
      }
    } catch (ArithmeticException | NumberFormatException e) {
      millis = Long.MAX_VALUE; // reported as too long below
    }
    if (millis < 1000 || millis % 1000 != 0 || millis / 1000 > MAX_EVERY_SECONDS) {
      throw new InvalidScheduleException("duration '" + duration + "' in '" + text + "' is not allowed" + usage);
    }
    return millis / 1000;
  }

  private static Cron parseCron(String text) {
    String[] fields = text.split("\\s+");
    CronParser parser;
    String names;
    if (fields.length == 5) {
      parser = UNIX;
      names = FIVE_FIELDS;
    } else if (fields.length == 6) {
      parser = WITH_SECONDS;
      names = SIX_FIELDS;
    } else {
      throw new InvalidScheduleException(
          "cron expression '" + text + "' has " + fields.length + " fields: " + ALLOWED);
    }
    try {
      return parser.parse(text);
    } catch (RuntimeException e) {
      // cron-utils reports bad input with assorted runtime exceptions; all of them mean "invalid".
      String reason = String.valueOf(e.getMessage()).replace("Failed to parse cron expression. ", "");
      throw new InvalidScheduleException(
          "invalid cron expression '" + text + "': " + reason + " (fields: " + names + ")");
    }
  }

  private static boolean matchesEveryHour(Cron cron) {
    String hours = cron.retrieve(CronFieldName.HOUR).getExpression().asString();
    ExecutionTime hourField = ExecutionTime.forCron(UNIX.parse("0 " + hours + " * * *"));
    return IntStream.range(0, 24)
        .allMatch(h -> hourField.isMatch(LocalDate.EPOCH.atTime(h, 0).atZone(ZoneOffset.UTC)));
  }

  private static CronDefinition unixWithSeconds() {
    return CronDefinitionBuilder.defineCron()
        .withSeconds().withValidRange(0, 59).withStrictRange().and()
        .withMinutes().withValidRange(0, 59).withStrictRange().and()
        .withHours().withValidRange(0, 23).withStrictRange().and()
        .withDayOfMonth().withValidRange(1, 31).withStrictRange().and()
        .withMonth().withValidRange(1, 12).withStrictRange().and()
        .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0)
        .withStrictRange().and()
        .instance();
  }
}
