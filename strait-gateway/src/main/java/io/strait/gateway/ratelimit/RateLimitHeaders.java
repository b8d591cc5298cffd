package io.strait.gateway.ratelimit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rate-limit response headers of design.md: {@code X-RateLimit-Limit}, {@code -Remaining} and
 * {@code -Reset} (Unix epoch seconds at which the bucket is full again), {@code Retry-After} (seconds)
 * on 429; and, when configured, the IETF draft's structured {@code RateLimit-Policy} and
 * {@code RateLimit} (draft-ietf-httpapi-ratelimit-headers: {@code "name";q=LIMIT;w=WINDOW} and
 * {@code "name";r=REMAINING;t=SECONDS}).
 */
final class RateLimitHeaders {
    static final String LIMIT = "X-RateLimit-Limit";
    static final String REMAINING = "X-RateLimit-Remaining";
    static final String RESET = "X-RateLimit-Reset";
    static final String POLICY = "RateLimit-Policy";
    static final String RATELIMIT = "RateLimit";
    private static final long MICROS = 1_000_000;

    private final boolean ietf;

    RateLimitHeaders(boolean ietf) {
        this.ietf = ietf;
    }

    /** On the upstream's response of an admitted request: the gateway's values replace any the upstream sent. */
    void allowed(HttpHeaders h, Bucket b, BucketState s, long nowMicros) {
        h.set(LIMIT, b.rate().limit());
        h.set(REMAINING, s.remaining());
        h.set(RESET, resetEpochSeconds(s, nowMicros));
        if (ietf) {
            h.set(POLICY, policy(b));
            h.set(RATELIMIT, state(b, s));
        }
    }

    /** The headers of a 429. */
    List<Map.Entry<String, String>> refused(Bucket b, BucketState s, long nowMicros) {
        List<Map.Entry<String, String>> out = new ArrayList<>(6);
        out.add(Map.entry(HttpHeaderNames.RETRY_AFTER.toString(), Long.toString(retryAfterSeconds(s))));
        out.add(Map.entry(LIMIT, Long.toString(b.rate().limit())));
        out.add(Map.entry(REMAINING, "0"));
        out.add(Map.entry(RESET, Long.toString(resetEpochSeconds(s, nowMicros))));
        if (ietf) {
            out.add(Map.entry(POLICY, policy(b)));
            out.add(Map.entry(RATELIMIT, "\"" + b.policy() + "\";r=0;t=" + retryAfterSeconds(s)));
        }
        return out;
    }

    /** Whole seconds, rounded up, at least 1: a client that waits that long gets through. */
    static long retryAfterSeconds(BucketState s) {
        return Math.max(1, ceilSeconds(s.retryAfterMicros()));
    }

    static long resetEpochSeconds(BucketState s, long nowMicros) {
        return ceilSeconds(nowMicros + s.resetAfterMicros());
    }

    private static String policy(Bucket b) {
        return "\"" + b.policy() + "\";q=" + b.rate().limit() + ";w=" + Math.max(1, b.rate().window().toSeconds());
    }

    private static String state(Bucket b, BucketState s) {
        return "\"" + b.policy() + "\";r=" + s.remaining() + ";t=" + ceilSeconds(s.resetAfterMicros());
    }

    private static long ceilSeconds(long micros) {
        return (micros + MICROS - 1) / MICROS;
    }
}
