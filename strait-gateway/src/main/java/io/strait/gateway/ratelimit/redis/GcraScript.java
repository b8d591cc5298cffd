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

    /**
     * Charges one or more requests, in order, each to its own keys, each all or nothing (a later request
     * sees what an earlier one charged). ARGV: the number of requests, then per request its number of
     * keys and, per key, the emission interval and tolerance (µs); KEYS: every request's keys in order.
     * Reply, per request: {allowed, now, then per key: allowed, remaining, resetAfter, retryAfter}.
     */
    static final String SOURCE = """
            -- GCRA (the arithmetic of io.strait.gateway.ratelimit.Gcra) for a batch of requests.
            redis.replicate_commands()
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local out = {}
            local a, k = 2, 1
            for r = 1, tonumber(ARGV[1]) do
              local n = tonumber(ARGV[a])
              a = a + 1
              local tat, new, fits = {}, {}, {}
              local all = true
              for i = 1, n do
                local interval = tonumber(ARGV[a + 2 * i - 2])
                tat[i] = tonumber(redis.call('GET', KEYS[k + i - 1])) or now
                new[i] = math.max(tat[i], now) + interval
                fits[i] = new[i] - now <= tonumber(ARGV[a + 2 * i - 1])
                all = all and fits[i]
              end
              out[#out + 1] = all and 1 or 0
              out[#out + 1] = now
              for i = 1, n do
                local interval = tonumber(ARGV[a + 2 * i - 2])
                local tolerance = tonumber(ARGV[a + 2 * i - 1])
                local allowed, remaining, reset, retry
                if all then
                  reset = new[i] - now
                  redis.call('SET', KEYS[k + i - 1], string.format('%d', new[i]),
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
              a = a + 2 * n
              k = k + n
            end
            return out
            """.replace("MARGIN", Long.toString(EXPIRY_MARGIN_MILLIS));

    /** The script's SHA-1, as SCRIPT LOAD would answer: what EVALSHA sends instead of the source. */
    static final String SHA = sha1(SOURCE);

    private GcraScript() {}

    /** ARGV for one request whose buckets have these rates. */
    static String[] args(List<Rate> rates) {
        return batchArgs(List.of(rates));
    }

    /** ARGV for requests (each given by its buckets' rates), in order. */
    static String[] batchArgs(List<List<Rate>> requests) {
        int size = 1;
        for (List<Rate> r : requests) size += 1 + 2 * r.size();
        String[] a = new String[size];
        a[0] = Integer.toString(requests.size());
        int at = 1;
        for (List<Rate> rates : requests) {
            a[at++] = Integer.toString(rates.size());
            for (Rate rate : rates) {
                String[] one = ARGS.computeIfAbsent(rate, GcraScript::argsOf);
                a[at++] = one[0];
                a[at++] = one[1];
            }
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

    /** Reads the script's reply for one request of {@code n} keys; a reply of another shape is an error. */
    static Reply parse(List<Object> reply, int n) {
        return parse(reply, new int[] {n})[0];
    }

    /** Reads the script's reply for requests of {@code keys[i]} keys each; a reply of another shape is an error. */
    static Reply[] parse(List<Object> reply, int[] keys) {
        int expected = 0;
        for (int n : keys) expected += 2 + 4 * n;
        if (reply == null || reply.size() != expected) {
            throw new IllegalStateException("unexpected script reply of " + (reply == null ? 0 : reply.size()) + " values");
        }
        Reply[] out = new Reply[keys.length];
        int at = 0;
        for (int r = 0; r < keys.length; r++) {
            BucketState[] states = new BucketState[keys[r]];
            for (int i = 0; i < keys[r]; i++) {
                int p = at + 2 + 4 * i;
                states[i] = new BucketState(number(reply, p) == 1, number(reply, p + 1), number(reply, p + 2),
                        number(reply, p + 3));
            }
            out[r] = new Reply(number(reply, at) == 1, number(reply, at + 1), states);
            at += 2 + 4 * keys[r];
        }
        return out;
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
