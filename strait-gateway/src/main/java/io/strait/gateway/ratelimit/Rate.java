package io.strait.gateway.ratelimit;

import java.time.Duration;

/**
 * A limit's shape: {@code limit} requests per {@code window}, at most {@code burst} at once.
 * In GCRA terms one request costs the emission interval {@code T = window / limit}, and a bucket may
 * run at most {@code burst * T} ahead of now.
 */
public record Rate(long limit, Duration window, long burst) {
    /** Redis keeps times as Lua doubles in microseconds: an interval below 1 µs cannot be represented. */
    public static final long MIN_INTERVAL_MICROS = 1;

    public Rate {
        if (limit <= 0) throw new IllegalArgumentException("limit must be > 0");
        if (burst <= 0) throw new IllegalArgumentException("burst must be > 0");
        if (window == null || window.toNanos() / 1000 / limit < MIN_INTERVAL_MICROS) {
            throw new IllegalArgumentException("window / limit must be at least 1 microsecond");
        }
    }

    /** {@code limit} as text, for {@code X-RateLimit-Limit}. */
    public String limitText() {
        return Long.toString(limit);
    }

    /** {@code T}: what one request costs, in microseconds. */
    public long intervalMicros() {
        return window.toNanos() / 1000 / limit;
    }

    /** {@code burst * T}: how far ahead of now a bucket's theoretical arrival time may be after an admitted request. */
    public long toleranceMicros() {
        return burst * intervalMicros();
    }
}
