package io.strait.gateway.ratelimit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
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
    static final AsciiString LIMIT = AsciiString.cached("X-RateLimit-Limit");
    static final AsciiString REMAINING = AsciiString.cached("X-RateLimit-Remaining");
    static final AsciiString RESET = AsciiString.cached("X-RateLimit-Reset");
    static final AsciiString POLICY = AsciiString.cached("RateLimit-Policy");
    static final AsciiString RATELIMIT = AsciiString.cached("RateLimit");
    private static final long MICROS = 1_000_000;

    private final boolean ietf;

    RateLimitHeaders(boolean ietf) {
        this.ietf = ietf;
    }

    /** On the upstream's response of an admitted request: the gateway's values replace any the upstream sent. */
    void allowed(HttpHeaders h, Bucket b, BucketState s, long nowMicros) {
        h.set(LIMIT, b.rate().limitText());
        h.set(REMAINING, Long.toString(s.remaining()));
        h.set(RESET, Long.toString(resetEpochSeconds(s, nowMicros)));
        if (ietf) {
            h.set(POLICY, policy(b));
            h.set(RATELIMIT, state(b, s));
        }
    }

    /** The headers of a 429. */
    List<Map.Entry<String, String>> refused(Bucket b, BucketState s, long nowMicros) {
        List<Map.Entry<String, String>> out = new ArrayList<>(6);
        out.add(Map.entry(HttpHeaderNames.RETRY_AFTER.toString(), Long.toString(retryAfterSeconds(s))));
        out.add(Map.entry(LIMIT.toString(), b.rate().limitText()));
        out.add(Map.entry(REMAINING.toString(), "0"));
        out.add(Map.entry(RESET.toString(), Long.toString(resetEpochSeconds(s, nowMicros))));
        if (ietf) {
            out.add(Map.entry(POLICY.toString(), policy(b)));
            out.add(Map.entry(RATELIMIT.toString(), "\"" + b.policy() + "\";r=0;t=" + retryAfterSeconds(s)));
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
