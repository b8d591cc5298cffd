package io.strait.gateway.jwt;

import io.strait.gateway.auth.AuthOutcome;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Tokens already verified, so a repeated token costs a SHA-256 instead of a signature check. Keyed by the SHA-256 of
 * the token (the token itself is never stored); an entry is dropped at the token's {@code exp}.
 *
 * <p>Memory bound: at most {@code maxEntries} (plus the few inserts racing a sweep). An entry is a 32-byte key, the
 * {@link io.strait.gateway.auth.Identity} and a completed stage: typically 300-600 bytes, so the default 10,000 entries
 * take about 3-6 MiB. Identity values come from the token, which is at most 8 KiB, so even a worst case stays under
 * about 10,000 x 20 KiB.
 */
final class VerifiedTokenCache {
    /** When full, a sweep removes expired entries and then arbitrary ones down to 90%, so sweeps are rare. */
    private static final double SWEEP_TARGET = 0.9;
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    /** The token's digest as four longs: cheap equals/hashCode, no array wrapper. */
    record Key(long a, long b, long c, long d) {
        static Key of(String token) {
            ByteBuffer h = ByteBuffer.wrap(SHA256.get().digest(token.getBytes(StandardCharsets.ISO_8859_1)));
            return new Key(h.getLong(), h.getLong(), h.getLong(), h.getLong());
        }
    }

    private record Entry(CompletionStage<AuthOutcome> outcome, long expiresAtMillis) {}

    private final int maxEntries;
    private final ConcurrentHashMap<Key, Entry> entries = new ConcurrentHashMap<>();
    private final ReentrantLock sweeping = new ReentrantLock();

    VerifiedTokenCache(int maxEntries) {
        this.maxEntries = maxEntries;
    }

    boolean enabled() {
        return maxEntries > 0;
    }

    /** The cached outcome (an already completed stage), or null when absent or expired. */
    CompletionStage<AuthOutcome> get(Key key, long nowMillis) {
        Entry e = entries.get(key);
        if (e == null) return null;
        if (nowMillis >= e.expiresAtMillis) {
            entries.remove(key, e);
            return null;
        }
        return e.outcome;
    }

    /** Remembers a verified outcome until {@code expiresAtMillis} (the token's exp); returns the completed stage. */
    CompletionStage<AuthOutcome> put(Key key, AuthOutcome.Verified outcome, long expiresAtMillis, long nowMillis) {
        CompletionStage<AuthOutcome> stage = CompletableFuture.completedStage(outcome);
        if (!enabled() || expiresAtMillis <= nowMillis) return stage;
        if (entries.size() >= maxEntries) sweep(nowMillis);
        entries.put(key, new Entry(stage, expiresAtMillis));
        return stage;
    }

    void clear() {
        entries.clear();
    }

    int size() {
        return entries.size();
    }

    private void sweep(long nowMillis) {
        if (!sweeping.tryLock()) return;
        try {
            entries.values().removeIf(e -> nowMillis >= e.expiresAtMillis);
            int target = (int) (maxEntries * SWEEP_TARGET);
            Iterator<Map.Entry<Key, Entry>> it = entries.entrySet().iterator();
            while (entries.size() > target && it.hasNext()) {
                it.next();
                it.remove();
            }
        } finally {
            sweeping.unlock();
        }
    }
}
