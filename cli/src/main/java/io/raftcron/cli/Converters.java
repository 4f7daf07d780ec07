package io.raftcron.cli;

import io.raftcron.proto.DstGapPolicy;
import io.raftcron.proto.DstOverlapPolicy;
import io.raftcron.proto.MisfirePolicy;
import io.raftcron.proto.OverlapPolicy;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option value converters; a failed conversion is a usage error (exit 2). */
final class Converters {
  private Converters() {}

  static final class FormatConverter implements ITypeConverter<ClientCommand.Format> {
    @Override
    public ClientCommand.Format convert(String value) {
      return switch (value.toLowerCase(Locale.ROOT)) {
        case "table" -> ClientCommand.Format.TABLE;
        case "json" -> ClientCommand.Format.JSON;
        default -> throw new TypeConversionException("expected table or json but was '" + value + "'");
      };
    }
  }

  static final class MisfireConverter implements ITypeConverter<MisfirePolicy> {
    @Override
    public MisfirePolicy convert(String value) {
      return switch (value) {
        case "fire-all" -> MisfirePolicy.FIRE_ALL;
        case "skip" -> MisfirePolicy.SKIP;
        case "fire-once" -> MisfirePolicy.FIRE_ONCE;
        default -> throw new TypeConversionException("expected fire-all, skip or fire-once but was '" + value + "'");
      };
    }
  }

  static final class OverlapConverter implements ITypeConverter<OverlapPolicy> {
    @Override
    public OverlapPolicy convert(String value) {
      return switch (value) {
        case "allow" -> OverlapPolicy.ALLOW;
        case "forbid" -> OverlapPolicy.FORBID;
        case "buffer-one" -> OverlapPolicy.BUFFER_ONE;
        case "replace" -> OverlapPolicy.REPLACE;
        default -> throw new TypeConversionException(
            "expected allow, forbid, buffer-one or replace but was '" + value + "'");
      };
    }
  }

  static final class DstGapConverter implements ITypeConverter<DstGapPolicy> {
    @Override
    public DstGapPolicy convert(String value) {
      return switch (value) {
        case "shift" -> DstGapPolicy.DST_SHIFT;
        case "skip" -> DstGapPolicy.DST_SKIP;
        default -> throw new TypeConversionException("expected shift or skip but was '" + value + "'");
      };
    }
  }

  static final class DstOverlapConverter implements ITypeConverter<DstOverlapPolicy> {
    @Override
    public DstOverlapPolicy convert(String value) {
      return switch (value) {
        case "once" -> DstOverlapPolicy.DST_ONCE;
        case "twice" -> DstOverlapPolicy.DST_TWICE;
        default -> throw new TypeConversionException("expected once or twice but was '" + value + "'");
      };
    }
  }

  /** An RFC 3339 instant: "2026-03-29T02:30:00+01:00" or "2026-03-29T01:30:00Z". */
  static final class InstantConverter implements ITypeConverter<java.time.Instant> {
    @Override
    public java.time.Instant convert(String value) {
      try {
        return java.time.OffsetDateTime.parse(value).toInstant();
      } catch (DateTimeParseException e) {
        throw new TypeConversionException(
            "expected an RFC 3339 time like 2026-03-29T02:30:00+01:00 or 2026-03-29T01:30:00Z but was '" + value + "'");
      }
    }
  }

  /** A bound of a job's active period ({@code --start}, {@code --end}): a time, or none ({@code at} null). */
  record TimeBound(java.time.Instant at) {
    boolean isNone() {
      return at == null;
    }
  }

  /** An RFC 3339 instant, or 'none' to remove the bound. */
  static final class TimeBoundConverter implements ITypeConverter<TimeBound> {
    @Override
    public TimeBound convert(String value) {
      return new TimeBound(value.equals("none") ? null : new InstantConverter().convert(value));
    }
  }

  /** "90s", "15m", "1h30m", "500ms", "2d", ISO-8601 ("PT1H"), or "0" (zero needs no unit). */
  static final class DurationConverter implements ITypeConverter<Duration> {
    private static final Pattern PART = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    @Override
    public Duration convert(String value) {
      if (value.equals("0")) {
        return Duration.ZERO;
      }
      if (value.startsWith("P") || value.startsWith("p")) {
        try {
          return Duration.parse(value);
        } catch (DateTimeParseException e) {
          throw invalid(value);
        }
      }
      Matcher part = PART.matcher(value);
      Duration total = Duration.ZERO;
      int end = 0;
      while (part.lookingAt()) {
        try {
          long amount = Long.parseLong(part.group(1));
          total = total.plus(switch (part.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          });
        } catch (ArithmeticException | NumberFormatException e) { // more digits than a duration holds
          throw invalid(value);
        }
        end = part.end();
        part.region(end, value.length());
      }
      if (end == 0 || end != value.length()) {
        throw invalid(value);
      }
      return total;
    }

    private static TypeConversionException invalid(String value) {
      return new TypeConversionException("expected a duration like 90s, 15m or 1h30m but was '" + value + "'");
    }
  }
}
