package io.strait.gateway.ratelimit.hybrid;

import io.strait.gateway.ratelimit.MicroClock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * In-memory stand-in for Redis running {@link LettuceHybridSync#SCRIPT}'s arithmetic on its own clock, for
 * deterministic tests; it can be "down" (calls fail) and counts what was pushed.
 */
final class FakeRedis {
    private final MicroClock clock;
    private final Map<String, Long> tats = new HashMap<>();
    private final Map<String, Long> pushedCounts = new HashMap<>();
    volatile boolean down;
    volatile int calls;

    FakeRedis(MicroClock clock) {
        this.clock = clock;
    }

    HybridSync client() {
        return (pushes, keepMillis) -> {
            if (down) return CompletableFuture.failedFuture(new IllegalStateException("fake Redis is down"));
            return CompletableFuture.completedFuture(run(pushes));
        };
    }

    private synchronized HybridSync.Reply run(List<HybridSync.Push> pushes) {
        calls++;
        long now = clock.nowMicros();
        long[] out = new long[pushes.size()];
        for (int i = 0; i < out.length; i++) {
            HybridSync.Push p = pushes.get(i);
            long tat = tats.getOrDefault(p.key(), 0L);
            if (p.count() > 0) {
                tat = Math.max(tat + p.count() * p.intervalMicros(), now + p.leadMicros());
                tats.put(p.key(), tat);
                pushedCounts.merge(p.key(), p.count(), Long::sum);
            }
            out[i] = tat;
        }
        return new HybridSync.Reply(now, out);
    }

    synchronized long tat(String key) {
        return tats.getOrDefault(key, 0L);
    }

    synchronized long pushed(String key) {
        return pushedCounts.getOrDefault(key, 0L);
    }

    synchronized long pushedTotal() {
        return pushedCounts.values().stream().mapToLong(Long::longValue).sum();
    }
}
