package io.strait.gateway.ratelimit;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import io.strait.proxy.filter.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The rate-limit response headers of design.md: {@code X-RateLimit-Limit}, {@code -Remaining} and
 * {@code -Reset} (Unix epoch seconds at which the bucket is full again), {@code Retry-After} (seconds)
 * on 429; and, when configured, the IETF draft's structured {@code RateLimit-Policy} and
 * {@code RateLimit} (draft-ietf-httpapi-ratelimit-headers: {@code "name";q=LIMIT;w=WINDOW} and
 * {@code "name";r=REMAINING;t=SECONDS}).
 *
 * <p>An admitted request's values are made cheaply, as every request gets them: the texts of a limit are made once
 * ({@link Texts}), small counts and recent reset seconds are formatted once and reused.
 */
final class RateLimitHeaders {
    static final AsciiString LIMIT = AsciiString.cached("X-RateLimit-Limit");
    static final AsciiString REMAINING = AsciiString.cached("X-RateLimit-Remaining");
    static final AsciiString RESET = AsciiString.cached("X-RateLimit-Reset");
    static final AsciiString POLICY = AsciiString.cached("RateLimit-Policy");
    static final AsciiString RATELIMIT = AsciiString.cached("RateLimit");
    private static final long MICROS = 1_000_000;
    /** Remaining counts below this are formatted once: limits of up to a thousand a window never format one. */
    static final int SMALL_COUNTS = 1024;
    private static final AsciiString[] SMALL = new AsciiString[SMALL_COUNTS];
    /**
     * Reset times recently sent, by epoch second modulo this: a busy bucket's reset is a second or two ahead of now, so
     * consecutive requests share one text; 64 covers the spread of one-minute windows' resets without collisions.
     */
    static final int RESET_TEXTS = 64;

    static {
        for (int i = 0; i < SMALL_COUNTS; i++) SMALL[i] = AsciiString.cached(Integer.toString(i));
    }

    /**
     * A limit's constant header values, made when the filter is built. {@code full} and {@code ietfFull} are for a
     * full bucket (after this request: {@code burst - 1} left, full again one interval from now), what every caller
     * well under the limit is told.
     */
    record Texts(Rate rate, AsciiString limit, AsciiString full, AsciiString ietfPolicy, String ietfStatePrefix,
            AsciiString ietfFull) {}

    /** A formatted reset second (immutable: shared by event loops through a plain array without harm). */
    private record Second(long epochSecond, AsciiString text) {}

    private final boolean ietf;
    private final Second[] resets = new Second[RESET_TEXTS];

    RateLimitHeaders(boolean ietf) {
        this.ietf = ietf;
    }

    /** The constant texts of {@code policy}'s headers at {@code rate}. */
    static Texts texts(String policy, Rate rate) {
        String statePrefix = "\"" + policy + "\";r=";
        return new Texts(rate, AsciiString.cached(rate.limitText()), count(rate.burst() - 1),
                AsciiString.cached(policy(policy, rate)), statePrefix,
                AsciiString.cached(statePrefix + (rate.burst() - 1) + ";t=" + ceilSeconds(rate.intervalMicros())));
    }

    /**
     * An admitted request's headers, for the upstream's response: the gateway's values replace any the upstream sent
     * ({@link RequestContext#setResponseHeader}).
     */
    void allowed(RequestContext ctx, Texts t, BucketState s, long nowMicros) {
        long left = s.remaining();
        boolean full = left == t.rate().burst() - 1 && s.resetAfterMicros() == t.rate().intervalMicros();
        ctx.setResponseHeader(LIMIT, t.limit());
        ctx.setResponseHeader(REMAINING, full ? t.full() : count(left));
        ctx.setResponseHeader(RESET, reset(resetEpochSeconds(s, nowMicros)));
        if (ietf) {
            ctx.setResponseHeader(POLICY, t.ietfPolicy());
            ctx.setResponseHeader(RATELIMIT,
                    full ? t.ietfFull() : t.ietfStatePrefix() + left + ";t=" + ceilSeconds(s.resetAfterMicros()));
        }
    }

    /** As {@link #allowed(RequestContext, Texts, BucketState, long)}, set on {@code h} at once. */
    void allowed(HttpHeaders h, Bucket b, BucketState s, long nowMicros) {
        RequestContext c = new RequestContext(null, null, false, null);
        allowed(c, texts(b.policy(), b.rate()), s, nowMicros);
        c.applyResponseHeaders(h);
    }

    /** The headers of a 429. */
    List<Map.Entry<String, String>> refused(Bucket b, BucketState s, long nowMicros) {
        List<Map.Entry<String, String>> out = new ArrayList<>(6);
        out.add(Map.entry(HttpHeaderNames.RETRY_AFTER.toString(), Long.toString(retryAfterSeconds(s))));
        out.add(Map.entry(LIMIT.toString(), b.rate().limitText()));
        out.add(Map.entry(REMAINING.toString(), "0"));
        out.add(Map.entry(RESET.toString(), Long.toString(resetEpochSeconds(s, nowMicros))));
        if (ietf) {
            out.add(Map.entry(POLICY.toString(), policy(b.policy(), b.rate())));
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

    /** {@code n} in decimal; counts below {@link #SMALL_COUNTS} are not formatted again. */
    static AsciiString count(long n) {
        return n >= 0 && n < SMALL_COUNTS ? SMALL[(int) n] : decimal(n);
    }

    /** The epoch second as text, reused while requests share it. */
    private AsciiString reset(long epochSecond) {
        int i = (int) (epochSecond & (RESET_TEXTS - 1));
        Second last = resets[i];
        if (last != null && last.epochSecond() == epochSecond) return last.text();
        AsciiString text = decimal(epochSecond);
        resets[i] = new Second(epochSecond, text);
        return text;
    }

    /** Decimal digits straight into the bytes an AsciiString wraps (no String in between), two at a time. */
    static AsciiString decimal(long n) {
        if (n < 0 || n > Integer.MAX_VALUE) return new AsciiString(Long.toString(n));
        int v = (int) n; // int division by a constant is a multiplication; epoch seconds fit until 2038
        int digits = 1;
        for (int bound = 10; digits < 10 && v >= bound; bound *= 10) digits++;
        byte[] b = new byte[digits];
        int i = digits;
        for (; v >= 100; v /= 100) {
            int pair = v % 100;
            b[--i] = (byte) ('0' + pair % 10);
            b[--i] = (byte) ('0' + pair / 10);
        }
        b[--i] = (byte) ('0' + v % 10);
        if (v >= 10) b[--i] = (byte) ('0' + v / 10);
        return new AsciiString(b, false);
    }

    private static String policy(String policy, Rate rate) {
        return "\"" + policy + "\";q=" + rate.limit() + ";w=" + Math.max(1, rate.window().toSeconds());
    }

    private static long ceilSeconds(long micros) {
        return (micros + MICROS - 1) / MICROS;
    }
}
