package io.strait.gateway.jwt;

import java.time.Clock;
import java.time.Duration;

/**
 * Knobs of a {@link JwtAuthenticator} that are not in the provider config: sizes, intervals and the clock. Production
 * uses {@link #DEFAULTS}; tests and benchmarks shorten intervals or disable the token cache.
 *
 * @param tokenCacheSize verified tokens remembered (0 disables the cache)
 * @param refetchInterval at most one on-demand JWKS fetch (unknown {@code kid}, no keys yet) per this interval
 * @param filePollInterval how often a {@code jwksFile}'s modification time is checked
 * @param retryBase first delay after a failed JWKS fetch; doubles per failure
 * @param retryMax longest delay between retries of a failing JWKS fetch
 * @param maxJwksBytes largest JWKS document read (HTTP body or file)
 * @param clock time for {@code exp}/{@code nbf}/{@code iat} and cache expiry
 */
public record JwtTuning(int tokenCacheSize, Duration refetchInterval, Duration filePollInterval, Duration retryBase,
        Duration retryMax, int maxJwksBytes, Clock clock) {

    /** 10,000 entries of a few hundred bytes each: a few MiB, enough for the active users of a busy gateway. */
    public static final int DEFAULT_TOKEN_CACHE_SIZE = 10_000;
    /**
     * Random {@code kid}s must not turn the gateway into a JWKS load generator: one refetch per 10 s still picks up a
     * rotated key within seconds of its first use.
     */
    public static final Duration DEFAULT_REFETCH_INTERVAL = Duration.ofSeconds(10);
    /** A file change is picked up within 5 s; a stat() every 5 s costs nothing. */
    public static final Duration DEFAULT_FILE_POLL_INTERVAL = Duration.ofSeconds(5);
    /** First retry 1 s after a failure: quick recovery from a blip without hammering a struggling IdP. */
    public static final Duration DEFAULT_RETRY_BASE = Duration.ofSeconds(1);
    /** Retries back off to at most once a minute while the IdP stays down. */
    public static final Duration DEFAULT_RETRY_MAX = Duration.ofMinutes(1);
    /** Real JWKS documents are a few KiB; 1 MiB leaves room for many keys and caps what a bad endpoint can make us buffer. */
    public static final int DEFAULT_MAX_JWKS_BYTES = 1024 * 1024;

    public static final JwtTuning DEFAULTS = new JwtTuning(DEFAULT_TOKEN_CACHE_SIZE, DEFAULT_REFETCH_INTERVAL,
            DEFAULT_FILE_POLL_INTERVAL, DEFAULT_RETRY_BASE, DEFAULT_RETRY_MAX, DEFAULT_MAX_JWKS_BYTES, Clock.systemUTC());

    public JwtTuning {
        if (tokenCacheSize < 0) throw new IllegalArgumentException("tokenCacheSize must be >= 0");
        if (maxJwksBytes <= 0) throw new IllegalArgumentException("maxJwksBytes must be > 0");
        for (Duration d : new Duration[] {refetchInterval, filePollInterval, retryBase, retryMax}) {
            if (d == null || d.isNegative() || d.isZero()) throw new IllegalArgumentException("intervals must be > 0");
        }
        if (clock == null) throw new IllegalArgumentException("clock is required");
    }

    public JwtTuning withTokenCacheSize(int size) {
        return new JwtTuning(size, refetchInterval, filePollInterval, retryBase, retryMax, maxJwksBytes, clock);
    }

    public JwtTuning withClock(Clock c) {
        return new JwtTuning(tokenCacheSize, refetchInterval, filePollInterval, retryBase, retryMax, maxJwksBytes, c);
    }

    public JwtTuning withIntervals(Duration refetch, Duration filePoll, Duration retryFirst, Duration retryLongest) {
        return new JwtTuning(tokenCacheSize, refetch, filePoll, retryFirst, retryLongest, maxJwksBytes, clock);
    }
}
