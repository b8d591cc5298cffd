package io.strait.gateway.ratelimit.redis;

import io.strait.gateway.ratelimit.BucketState;
import io.strait.gateway.ratelimit.Gcra;
import io.strait.gateway.ratelimit.Rate;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * The Lua script that charges a request to several buckets in one atomic call: {@link Gcra}'s
 * arithmetic, line for line, on Redis's clock. Each key holds its bucket's TAT (Unix epoch,
 * microseconds, as a decimal integer) and expires when the bucket is full again, so idle clients leave
 * nothing behind (a missing key reads as a full bucket, which is exactly what it was).
 *
 * <p>Lua numbers are doubles: epoch microseconds (about 2^51) and every sum here stay below 2^53, so
 * the arithmetic is exact, and TATs are written with {@code %d} (Lua's {@code tostring} would round
 * them to 14 digits).
 */
final class GcraScript {
    /**
     * Added to a key's expiry: {@code PX} counts milliseconds, TATs microseconds; the expiry is already
     * rounded up, the margin only keeps a key until just past the moment its bucket is full.
     */
    static final long EXPIRY_MARGIN_MILLIS = 5;

    /** Reply: {allowed, now, then per key: allowed, remaining, resetAfter, retryAfter}. */
    static final String SOURCE = """
            -- GCRA over every key, all or nothing (the arithmetic of io.strait.gateway.ratelimit.Gcra).
            -- KEYS[i]: a bucket; ARGV[2i-1], ARGV[2i]: its emission interval and tolerance, microseconds.
            redis.replicate_commands()
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local n = #KEYS
            local tat, new, fits = {}, {}, {}
            local all = true
            for i = 1, n do
              local interval = tonumber(ARGV[2 * i - 1])
              tat[i] = tonumber(redis.call('GET', KEYS[i])) or now
              new[i] = math.max(tat[i], now) + interval
              fits[i] = new[i] - now <= tonumber(ARGV[2 * i])
              all = all and fits[i]
            end
            local out = {all and 1 or 0, now}
            for i = 1, n do
              local interval = tonumber(ARGV[2 * i - 1])
              local tolerance = tonumber(ARGV[2 * i])
              local allowed, remaining, reset, retry
              if all then
                reset = new[i] - now
                redis.call('SET', KEYS[i], string.format('%d', new[i]),
                  'PX', string.format('%d', math.ceil(reset / 1000) + MARGIN))
                allowed, remaining, retry = 1, math.floor((tolerance - reset) / interval), 0
              else
                reset = math.max(tat[i], now) - now
                remaining = math.max(0, math.floor((tolerance - reset) / interval))
                if fits[i] then
                  allowed, retry = (remaining > 0) and 1 or 0, 0
                else
                  allowed, retry = 0, math.max(1, reset + interval - tolerance)
                end
              end
              out[#out + 1] = allowed
              out[#out + 1] = remaining
              out[#out + 1] = reset
              out[#out + 1] = retry
            end
            return out
            """.replace("MARGIN", Long.toString(EXPIRY_MARGIN_MILLIS));

    /** The script's SHA-1, as SCRIPT LOAD would answer: what EVALSHA sends instead of the source. */
    static final String SHA = sha1(SOURCE);

    private GcraScript() {}

    /** ARGV for buckets with these rates: interval and tolerance of each, in order. */
    static String[] args(List<Rate> rates) {
        String[] a = new String[rates.size() * 2];
        for (int i = 0; i < rates.size(); i++) {
            String[] one = ARGS.computeIfAbsent(rates.get(i), GcraScript::argsOf);
            a[2 * i] = one[0];
            a[2 * i + 1] = one[1];
        }
        return a;
    }

    /**
     * Each rate's two arguments as text, made once: rates come from the configuration (policies and
     * plans), so there are few of them, and the request path formats no numbers.
     */
    private static final java.util.Map<Rate, String[]> ARGS = new java.util.concurrent.ConcurrentHashMap<>();

    private static String[] argsOf(Rate r) {
        if (ARGS.size() > MAX_CACHED_RATES) ARGS.clear(); // a bound, should reloads ever pile up distinct rates
        return new String[] {Long.toString(r.intervalMicros()), Long.toString(r.toleranceMicros())};
    }

    /** Far more rates than a configuration has (policies times plans). */
    private static final int MAX_CACHED_RATES = 10_000;

    /** One call's answer. */
    record Reply(boolean allowed, long nowMicros, BucketState[] states) {}

    /** Reads the script's reply for {@code n} keys; a reply of another shape is an error. */
    static Reply parse(List<Object> reply, int n) {
        if (reply == null || reply.size() != 2 + 4 * n) {
            throw new IllegalStateException("unexpected script reply of " + (reply == null ? 0 : reply.size()) + " values");
        }
        BucketState[] states = new BucketState[n];
        for (int i = 0; i < n; i++) {
            int at = 2 + 4 * i;
            states[i] = new BucketState(number(reply, at) == 1, number(reply, at + 1), number(reply, at + 2),
                    number(reply, at + 3));
        }
        return new Reply(number(reply, 0) == 1, number(reply, 1), states);
    }

    private static long number(List<Object> reply, int i) {
        if (reply.get(i) instanceof Long l) return l;
        throw new IllegalStateException("unexpected script reply: value " + i + " is not an integer");
    }

    private static String sha1(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-1", e);
        }
    }
}
