package io.strait.config.load;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as Go's {@code time.ParseDuration} (and so Traefik, Prometheus and Istio) writes them: one or more
 * numbers with a unit, each number whole or with a fraction ({@code 250ms}, {@code 1.5s}, {@code 1m30s},
 * {@code 2h45m}); units {@code ns}, {@code us} (or {@code µs}), {@code ms}, {@code s}, {@code m}, {@code h}, and
 * {@code d} for days, which Go lacks. {@code 0} alone is zero. No sign: a negative duration is never meant.
 */
public final class Durations {
    /** The end of every message about a value that is no duration. */
    public static final String SYNTAX = "must be a duration such as 250ms, 1.5s, 1m30s or 2h";
    private static final Pattern WHOLE = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:ns|us|µs|ms|s|m|h|d))+");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");
    private static final BigInteger MAX_NANOS = BigInteger.valueOf(Long.MAX_VALUE);

    private Durations() {}

    /** The result of reading one value: a duration, or why it is none. */
    public sealed interface Parsed {
        record Ok(Duration duration) implements Parsed {}

        /** {@code tooLarge}: the syntax is right and the value past about 292 years. */
        record Invalid(boolean tooLarge) implements Parsed {}
    }

    /** Reads {@code text} (trimmed); {@link Parsed.Invalid} when it is no duration or is too large. */
    public static Parsed parse(String text) {
        String s = text == null ? "" : text.trim();
        if (s.equals("0")) return new Parsed.Ok(Duration.ZERO);
        if (!WHOLE.matcher(s).matches()) return new Parsed.Invalid(false);
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher m = PART.matcher(s);
        while (m.find()) nanos = nanos.add(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
        BigInteger whole = nanos.toBigInteger(); // Go truncates what is finer than a nanosecond
        if (whole.compareTo(MAX_NANOS) > 0) return new Parsed.Invalid(true);
        return new Parsed.Ok(Duration.ofNanos(whole.longValueExact()));
    }

    private static long unitNanos(String unit) {
        return switch (unit) {
            case "ns" -> 1L;
            case "us", "µs" -> 1_000L;
            case "ms" -> 1_000_000L;
            case "s" -> 1_000_000_000L;
            case "m" -> 60_000_000_000L;
            case "h" -> 3_600_000_000_000L;
            default -> 86_400_000_000_000L;
        };
    }
}
