package io.raftcron.sm.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.descriptor.CronDescriptor;
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
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
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
 * <p>{@code @at <RFC 3339 instant>} ({@code @at 2026-12-24T18:00:00+01:00}) is a one-shot schedule: its
 * only slot is that instant, which must be a whole second. After it the schedule has no further slot.
 *
 * <p>Cron fields are matched against the wall clock of the zone. Daylight-saving time has two
 * options, {@link Gap} for wall-clock times that do not exist (spring forward) and {@link Repeat} for
 * wall-clock times that occur twice (fall back):
 * <ul>
 *   <li>If the hour field matches every hour ({@code *}, {@code 0-23}, …) the schedule follows elapsed
 *       time: its slots are the instants whose local time matches, so hourly and minutely jobs keep
 *       their spacing through a transition. A gap loses no elapsed time, so nothing is shifted into it
 *       whatever the gap option (an hourly {@code 30 * * * *} runs at 01:30 CET and then 03:30 CEST, one
 *       hour apart). A repeated hour fires in both passes by default ({@link Repeat#AUTO}), again one
 *       slot per elapsed interval; {@link Repeat#ONCE} asked for explicitly fires only in the first pass,
 *       leaving a hole as long as the repeated hour.
 *   <li>Otherwise each matching wall-clock time fires once by default: a repeated time at its first
 *       occurrence ({@link Repeat#AUTO} and {@link Repeat#ONCE}; {@link Repeat#TWICE} fires at both), and a
 *       time inside a gap at the end of the gap ({@link Gap#SHIFT}, default: a daily {@code 30 2 * * *} in
 *       Europe/Berlin runs at 03:00 on the spring-forward day; several times in one gap collapse into
 *       that one slot) or not at all that day ({@link Gap#SKIP}).
 * </ul>
 * In every case iterating {@link #nextAfter} gives strictly increasing instants, and the result does not
 * depend on where the iteration started. cron-utils on its own skips times in a gap and, when started
 * inside an overlap, fires a repeated time a second time; so it only ever sees UTC, where each local time
 * exists once, and this class maps local times to instants: the slots are the elapsed-time matches, minus
 * the second pass of a repeated hour when it fires once, plus the end of each gap holding a matching time
 * when gaps shift.
 */
public final class Schedule {
  private static final ZoneId UTC = ZoneId.of("UTC");
  private static final String FIVE_FIELDS = "minute hour day-of-month month day-of-week";
  private static final String SIX_FIELDS = "second " + FIVE_FIELDS;
  private static final String ALLOWED =
      "use 5 cron fields (" + FIVE_FIELDS + "), 6 cron fields (" + SIX_FIELDS + "), "
          + "@yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly, @every <duration> "
          + "or @at <RFC 3339 instant>";
  private static final Map<String, String> MACROS = Map.of(
      "@yearly", "0 0 1 1 *",
      "@annually", "0 0 1 1 *",
      "@monthly", "0 0 1 * *",
      "@weekly", "0 0 * * 0",
      "@daily", "0 0 * * *",
      "@midnight", "0 0 * * *",
      "@hourly", "0 * * * *");
  private static final Pattern EVERY = Pattern.compile("@every(?:\\s+(.*))?");
  private static final Pattern AT = Pattern.compile("@at(?:\\s+(.*))?");
  private static final Pattern DURATION = Pattern.compile("(?:\\d+(?:ms|h|m|s))+");
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ms|h|m|s)");
  private static final long MAX_EVERY_SECONDS = 24 * 3600;
  private static final Instant MAX_AT = Instant.parse("9999-12-31T23:59:59Z");

  private static final CronParser UNIX =
      new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
  /** cron-utils' Unix definition with a seconds field in front: no Quartz '?', days combine as in Unix. */
  private static final CronParser WITH_SECONDS = new CronParser(unixWithSeconds());

  /** Wall-clock times that do not exist (spring forward). */
  public enum Gap {
    /** Fire at the first instant after the gap (default). */
    SHIFT,
    /** Do not fire that day. */
    SKIP
  }

  /** Wall-clock times that occur twice (fall back). */
  public enum Repeat {
    /** Elapsed-time schedules (hour field {@code *}) fire in both passes, others at the first only. */
    AUTO,
    /** Only at the first occurrence. */
    ONCE,
    /** At both occurrences. */
    TWICE
  }

  private final String expression;
  private final ZoneId zone;
  private final long everySeconds; // > 0 for @every, 0 for cron
  private final Instant at; // @at only
  private final ExecutionTime cron; // evaluated in UTC only; null for @every and @at
  private final boolean followsElapsedTime;
  private final Gap gap;
  private final Repeat repeat;
  /** A matching time in a gap fires at the gap's end. */
  private final boolean shiftGaps;
  /** Instants in the second pass of a repeated hour are not slots. */
  private final boolean oncePerRepeatedTime;
  /**
   * Recent cron answers, by the whole second asked about. Evaluating cron costs hundreds of
   * microseconds (cron-utils generates the day candidates at every call), and the jobs that share a
   * schedule ask the same question at the same slot: the leader planning each one's next slot, every
   * replica checking each decided slot. Cleared when full; answers never change, so it only saves work.
   */
  private final Map<Long, Optional<Instant>> recentCron = new ConcurrentHashMap<>();
  private static final int RECENT_CRON_ANSWERS = 4096;
  /** {@link #describe}'s answer once asked: every job read through the API shows it. */
  private volatile String description;

  private Schedule(String expression, ZoneId zone, long everySeconds, Instant at, ExecutionTime cron,
      boolean followsElapsedTime, Gap gap, Repeat repeat) {
    this.expression = expression;
    this.zone = zone;
    this.everySeconds = everySeconds;
    this.at = at;
    this.cron = cron;
    this.followsElapsedTime = followsElapsedTime;
    this.gap = gap;
    this.repeat = repeat;
    this.shiftGaps = !followsElapsedTime && gap == Gap.SHIFT;
    this.oncePerRepeatedTime = followsElapsedTime ? repeat == Repeat.ONCE : repeat != Repeat.TWICE;
  }

  /**
   * Parses {@code expression} in {@code zoneId} ("" or null means UTC).
   *
   * @throws InvalidScheduleException saying what is wrong and what is allowed
   */
  public static Schedule parse(String expression, String zoneId) {
    return parse(expression, zoneId, Gap.SHIFT, Repeat.AUTO);
  }

  /**
   * Parses {@code expression} in {@code zoneId} with the given daylight-saving options. Valid
   * schedules are kept (the most recently used few thousand): parsing cron and classifying its
   * hour field cost far more than evaluating it, and every job create, every replica's check of
   * it and every fire decision ask again.
   *
   * @throws InvalidScheduleException saying what is wrong and what is allowed
   */
  public static Schedule parse(String expression, String zoneId, Gap gap, Repeat repeat) {
    ParsedKey key = new ParsedKey(expression, zoneId, gap, repeat);
    synchronized (PARSED) {
      Schedule cached = PARSED.get(key);
      if (cached != null) {
        return cached;
      }
    }
    Schedule parsed = parseUncached(expression, zoneId, gap, repeat);
    synchronized (PARSED) {
      PARSED.put(key, parsed);
    }
    return parsed;
  }

  /**
   * What a parse depends on. A record rather than the text joined into one string: every fire
   * decision looks its schedule up, and the strings of a spec keep their hash codes, while a joined
   * string was built and hashed afresh each time.
   */
  private record ParsedKey(String expression, String zoneId, Gap gap, Repeat repeat) {}

  private static final int PARSED_CAPACITY = 4096;
  private static final Map<ParsedKey, Schedule> PARSED =
      new java.util.LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ParsedKey, Schedule> eldest) {
          return size() > PARSED_CAPACITY;
        }
      };

  private static Schedule parseUncached(String expression, String zoneId, Gap gap, Repeat repeat) {
    ZoneId zone = parseZone(zoneId);
    String text = expression == null ? "" : expression.trim();
    if (text.isEmpty()) {
      throw new InvalidScheduleException("schedule is empty: " + ALLOWED);
    }
    Matcher every = EVERY.matcher(text);
    if (every.matches()) {
      return new Schedule(expression, zone, parseEvery(text, every.group(1)), null, null, false, gap, repeat);
    }
    Matcher oneShot = AT.matcher(text);
    if (oneShot.matches()) {
      return new Schedule(expression, zone, 0, parseAt(text, oneShot.group(1)), null, false, gap, repeat);
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
    return new Schedule(expression, zone, 0, null, executionTime, matchesEveryHour(parsed), gap, repeat);
  }

  /** Whether this JVM's time-zone database has the region {@code zoneId} ("" or null: UTC, always). */
  public static boolean isKnownZone(String zoneId) {
    return zoneId == null || zoneId.isEmpty() || ZoneId.getAvailableZoneIds().contains(zoneId);
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
    if (at != null) {
      return at.isAfter(t) ? Optional.of(at) : Optional.empty();
    }
    Optional<Instant> known = recentCron.get(t.getEpochSecond());
    if (known != null) {
      return known;
    }
    Optional<Instant> next = nextCron(t);
    if (recentCron.size() >= RECENT_CRON_ANSWERS) {
      recentCron.clear();
    }
    recentCron.put(t.getEpochSecond(), next);
    return next;
  }

  private Optional<Instant> nextCron(Instant t) {
    Optional<Instant> elapsed = nextMatching(t);
    if (shiftGaps && elapsed.isPresent()) {
      Optional<Instant> shifted = nextShiftedGap(t, elapsed.get());
      if (shifted.isPresent()) {
        return shifted;
      }
    }
    return elapsed;
  }

  /** True iff {@code t} is exactly a slot of this schedule. */
  public boolean isSlot(Instant t) {
    if (t.getNano() != 0) {
      return false;
    }
    if (everySeconds > 0) {
      return Math.floorMod(t.getEpochSecond(), everySeconds) == 0;
    }
    if (at != null) {
      return at.equals(t);
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

  /** The instant of an {@code @at} schedule, empty for the others. */
  public Optional<Instant> oneShot() {
    return Optional.ofNullable(at);
  }

  public Gap gap() {
    return gap;
  }

  public Repeat repeat() {
    return repeat;
  }

  /** True if the hour field matches every hour, so that the schedule follows elapsed time. */
  public boolean followsElapsedTime() {
    return followsElapsedTime;
  }

  /**
   * What a daylight-saving transition does to {@code slot} (given the slot before it, or null), for
   * people: empty if nothing. Notes a slot shifted to the end of a gap, a slot inside a repeated hour
   * (first or second occurrence), and a slot that follows a gap or a repeated hour whose matching
   * times did not fire.
   */
  public Optional<String> dstNote(Instant previous, Instant slot) {
    if (cron == null) {
      return Optional.empty();
    }
    ZoneRules rules = zone.getRules();
    List<String> notes = new ArrayList<>();
    ZoneOffsetTransition last = rules.previousTransition(slot.plusNanos(1));
    if (last != null && last.isGap() && last.getInstant().equals(slot) && gapHasMatch(last)
        && shiftGaps) {
      notes.add("shifted: " + span(last) + " does not exist (spring forward), so it runs when the gap ends");
    }
    if (last != null && last.isOverlap()
        && slot.isBefore(last.getInstant().plus(last.getDuration().negated()))) {
      notes.add(span(last) + " occurs twice (fall back): second occurrence");
    }
    ZoneOffsetTransition next = rules.nextTransition(slot);
    if (next != null && next.isOverlap()
        && !slot.isBefore(next.getInstant().minus(next.getDuration().negated()))) {
      notes.add(span(next) + " occurs twice (fall back): first occurrence"
          + (oncePerRepeatedTime ? "; it does not run again in the repeat" : "; it runs again in the repeat"));
    }
    if (previous != null) {
      for (ZoneOffsetTransition t = rules.nextTransition(previous);
          t != null && t.getInstant().isBefore(slot);
          t = rules.nextTransition(t.getInstant())) {
        if (t.isGap() && !shiftGaps && gapHasMatch(t)) {
          notes.add("after " + span(t) + " on " + t.getDateTimeBefore().toLocalDate()
              + ", which does not exist (spring forward): its times did not run");
        }
      }
    }
    return notes.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", notes));
  }

  private static String span(ZoneOffsetTransition t) {
    LocalDateTime from = t.isGap() ? t.getDateTimeBefore() : t.getDateTimeAfter();
    LocalDateTime to = t.isGap() ? t.getDateTimeAfter() : t.getDateTimeBefore();
    return from.toLocalTime() + "-" + to.toLocalTime();
  }

  /**
   * The schedule in English words for people ("every 5 minutes", "at 09:00 every day between
   * Monday and Friday"), from cron-utils' CronDescriptor for cron forms; the expression itself
   * where the descriptor has no words for it.
   */
  public String describe() {
    String known = description;
    if (known == null) {
      known = describeOnce();
      description = known;
    }
    return known;
  }

  private String describeOnce() {
    if (everySeconds > 0) {
      return "every " + expression.trim().substring("@every".length()).trim();
    }
    if (at != null) {
      return "once, at " + at;
    }
    String text = expression.trim();
    try {
      return CronDescriptor.instance(Locale.ENGLISH).describe(parseCron(MACROS.getOrDefault(text, text)));
    } catch (RuntimeException e) {
      return text;
    }
  }

  @Override
  public String toString() {
    return "Schedule[" + expression + " in " + zone + ", gap " + gap + ", repeat " + repeat + "]";
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

  /** The first elapsed-time match after t, without the second pass of a repeated hour if it fires once. */
  private Optional<Instant> nextMatching(Instant t) {
    Instant after = t;
    while (true) {
      Optional<Instant> next = nextByElapsedTime(after);
      if (next.isEmpty() || !oncePerRepeatedTime) {
        return next;
      }
      ZoneOffsetTransition last = zone.getRules().previousTransition(next.get().plusNanos(1));
      Instant secondPassEnd =
          last == null || !last.isOverlap() ? null : last.getInstant().plus(last.getDuration().negated());
      if (secondPassEnd == null || !next.get().isBefore(secondPassEnd)) {
        return next;
      }
      // Inside the second pass, whose times all fired in the first: jump past it instead of walking
      // its (possibly 3600) matches one by one.
      after = secondPassEnd.minusSeconds(1);
    }
  }

  /** The end of the first gap after t (and not after {@code bound}) that holds a matching time. */
  private Optional<Instant> nextShiftedGap(Instant t, Instant bound) {
    ZoneRules rules = zone.getRules();
    for (ZoneOffsetTransition tr = rules.nextTransition(t);
        tr != null && !tr.getInstant().isAfter(bound);
        tr = rules.nextTransition(tr.getInstant())) {
      if (tr.isGap() && gapHasMatch(tr)) {
        return Optional.of(tr.getInstant());
      }
    }
    return Optional.empty();
  }

  /** True if some wall-clock time the gap skips matches the cron fields. */
  private boolean gapHasMatch(ZoneOffsetTransition gapTransition) {
    return nextLocal(gapTransition.getDateTimeBefore().minusSeconds(1))
        .map(local -> local.isBefore(gapTransition.getDateTimeAfter()))
        .orElse(false);
  }

  private Optional<LocalDateTime> nextLocal(LocalDateTime after) {
    return cron.nextExecution(after.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toLocalDateTime);
  }

  private static Instant parseAt(String text, String instant) {
    String usage = ": use an RFC 3339 instant with an offset, e.g. @at 2026-12-24T18:00:00+01:00 or "
        + "@at 2026-12-24T17:00:00Z";
    if (instant == null || instant.isBlank()) {
      throw new InvalidScheduleException("'" + text + "' has no instant" + usage);
    }
    Instant parsed;
    try {
      parsed = OffsetDateTime.parse(instant.trim()).toInstant();
    } catch (DateTimeParseException e) {
      throw new InvalidScheduleException("'" + instant.trim() + "' in '" + text + "' is not an RFC 3339 instant"
          + usage);
    }
    if (parsed.getNano() != 0) {
      throw new InvalidScheduleException("'" + instant.trim() + "' in '" + text
          + "' has a fraction of a second: slots are whole seconds");
    }
    if (parsed.isBefore(Instant.EPOCH) || parsed.isAfter(MAX_AT)) {
      throw new InvalidScheduleException("'" + instant.trim() + "' in '" + text
          + "' is out of range: use an instant from 1970 to 9999");
    }
    return parsed;
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
