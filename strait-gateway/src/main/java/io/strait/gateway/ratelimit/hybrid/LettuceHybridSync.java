package io.strait.gateway.ratelimit.hybrid;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.strait.gateway.redis.RedisConnector;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * {@link HybridSync} as one Lua script call (EVALSHA, falling back to EVAL when Redis answers NOSCRIPT,
 * e.g. after a restart) on Lettuce's async API. The script takes Redis's own clock ({@code TIME}), so
 * gateways' clocks never enter the global state, and keeps each key only as long as its TAT is ahead of now.
 */
public final class LettuceHybridSync implements HybridSync {
    /**
     * KEYS: bucket keys (one slot). ARGV: keep (ms), then count, interval, lead (µs) per key. Returns
     * {now, tat1, tat2, ...} in µs (see {@link HybridSync#sync}). Times are Lua doubles: exact up to 2^53 µs
     * (year 2255). A key pushed with count 0 is only read; a key is kept until {@code keep} after its TAT.
     */
    static final String SCRIPT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
            local out = {now}
            for i, key in ipairs(KEYS) do
              local count = tonumber(ARGV[3 * i - 1])
              local tat = tonumber(redis.call('GET', key) or 0) or 0
              if count > 0 then
                tat = math.max(tat + count * tonumber(ARGV[3 * i]), now + tonumber(ARGV[3 * i + 1]))
                local ttl = math.ceil((tat - now) / 1000) + tonumber(ARGV[1])
                if ttl > 0 then redis.call('SET', key, string.format('%.0f', tat), 'PX', ttl) end
              end
              out[i + 1] = tat
            end
            return out
            """;

    private final RedisConnector connection;
    private final boolean ownsConnection;
    private final String sha;

    /**
     * @param connection where Redis is
     * @param ownsConnection whether {@link #close()} closes {@code connection}
     */
    public LettuceHybridSync(RedisConnector connection, boolean ownsConnection) {
        this.connection = connection;
        this.ownsConnection = ownsConnection;
        this.sha = sha1Hex(SCRIPT);
    }

    @Override
    public CompletionStage<Reply> sync(List<Push> pushes, long keepMillis) {
        String[] keys = new String[pushes.size()];
        String[] args = new String[1 + 3 * pushes.size()];
        args[0] = Long.toString(keepMillis);
        for (int i = 0; i < keys.length; i++) {
            Push p = pushes.get(i);
            keys[i] = p.key();
            args[1 + 3 * i] = Long.toString(p.count());
            args[2 + 3 * i] = Long.toString(p.intervalMicros());
            args[3 + 3 * i] = Long.toString(p.leadMicros());
        }
        return connection.connection()
                .thenCompose(c -> run(c, keys, args))
                .thenApply(LettuceHybridSync::reply);
    }

    private CompletableFuture<List<Object>> run(RedisConnector.Connection c, String[] keys, String[] args) {
        CompletableFuture<List<Object>> f = c.async().<List<Object>>evalsha(sha, ScriptOutputType.MULTI, keys, args).toCompletableFuture();
        return f.exceptionallyCompose(e -> unwrap(e) instanceof RedisNoScriptException
                ? c.async().<List<Object>>eval(SCRIPT, ScriptOutputType.MULTI, keys, args).toCompletableFuture()
                : CompletableFuture.failedFuture(e));
    }

    private static Throwable unwrap(Throwable e) {
        return e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
    }

    private static Reply reply(List<Object> out) {
        long[] tats = new long[out.size() - 1];
        for (int i = 0; i < tats.length; i++) tats[i] = ((Number) out.get(i + 1)).longValue();
        return new Reply(((Number) out.get(0)).longValue(), tats);
    }

    private static String sha1Hex(String s) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-1").digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public CompletableFuture<?> ready() {
        return connection.connection();
    }

    @Override
    public void close() {
        if (ownsConnection) connection.close();
    }
}
