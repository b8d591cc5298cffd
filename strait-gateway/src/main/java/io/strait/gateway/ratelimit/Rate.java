package io.strait.gateway.ratelimit;

import java.time.Duration;
import java.util.Objects;

/**
 * A limit's shape: {@code limit} requests per {@code window}, at most {@code burst} at once.
 * In GCRA terms one request costs the emission interval {@code T = window / limit}, and a bucket may
 * run at most {@code burst * T} ahead of now.
 *
 * <p>A value class with the accessors, equality and text of a record over {@code (limit, window, burst)}; not a
 * record only so that {@code T} and {@code burst * T}, read several times per request, are worked out once.
 */
public final class Rate {
    /** Redis keeps times as Lua doubles in microseconds: an interval below 1 µs cannot be represented. */
    public static final long MIN_INTERVAL_MICROS = 1;

    private final long limit;
    private final Duration window;
    private final long burst;
    private final long intervalMicros;
    private final long toleranceMicros;

    public Rate(long limit, Duration window, long burst) {
        if (limit <= 0) throw new IllegalArgumentException("limit must be > 0");
        if (burst <= 0) throw new IllegalArgumentException("burst must be > 0");
        if (window == null || window.toNanos() / 1000 / limit < MIN_INTERVAL_MICROS) {
            throw new IllegalArgumentException("window / limit must be at least 1 microsecond");
        }
        this.limit = limit;
        this.window = window;
        this.burst = burst;
        this.intervalMicros = window.toNanos() / 1000 / limit;
        this.toleranceMicros = burst * intervalMicros;
    }

    public long limit() {
        return limit;
    }

    public Duration window() {
        return window;
    }

    public long burst() {
        return burst;
    }

    /** {@code limit} as text, for {@code X-RateLimit-Limit}. */
    public String limitText() {
        return Long.toString(limit);
    }

    /** {@code T}: what one request costs, in microseconds. */
    public long intervalMicros() {
        return intervalMicros;
    }

    /** {@code burst * T}: how far ahead of now a bucket's theoretical arrival time may be after an admitted request. */
    public long toleranceMicros() {
        return toleranceMicros;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rate r && limit == r.limit && burst == r.burst && window.equals(r.window);
    }

    @Override
    public int hashCode() {
        return Objects.hash(limit, window, burst);
    }

    @Override
    public String toString() {
        return "Rate[limit=" + limit + ", window=" + window + ", burst=" + burst + "]";
    }
}
