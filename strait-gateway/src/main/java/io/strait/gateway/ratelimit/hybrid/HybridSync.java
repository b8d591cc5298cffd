package io.strait.gateway.ratelimit.hybrid;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The hybrid store's only access to Redis: push what a gateway admitted, learn the global state. One call
 * is one atomic step in Redis, for keys of one hash slot (the caller groups them), so it works on Redis
 * Cluster too. Calls never block: the stage fails when Redis cannot answer.
 */
public interface HybridSync extends AutoCloseable {
    /**
     * One bucket's push.
     *
     * @param key the Redis key, prefix included
     * @param count requests admitted here since the last push (0: only read the global TAT)
     * @param intervalMicros what one request costs ({@code T})
     * @param leadMicros this gateway's TAT for the key when the count was taken, minus its clock then (may be
     *     negative): relative, so no gateway clock enters Redis; at least what its own admissions imply
     */
    record Push(String key, long count, long intervalMicros, long leadMicros) {}

    /**
     * Redis's answer.
     *
     * @param redisNowMicros Redis's clock when it ran the step (Unix epoch, microseconds)
     * @param tats each key's global TAT after the step, in the order pushed (may be before {@code redisNowMicros}:
     *     then the bucket is full)
     */
    record Reply(long redisNowMicros, long[] tats) {}

    /**
     * Charges each push to its key's global TAT: {@code TAT = max(TAT + count * T, now + lead)} when
     * {@code count > 0} ({@code now + lead}: the gateway's local TAT moved to Redis's clock, a little later
     * than it was, by the time the call took to arrive), keeping the key until {@code keepMillis} after that
     * TAT has passed; answers the TATs. The keys must share one hash slot. An empty list only reads Redis's
     * clock.
     *
     * <p>Why not {@code max(TAT, now) + count * T}: that charges a batch as if all its requests had arrived at
     * the sync, so a key whose global bucket had room while the batch built up loses that room, and a busy
     * key runs below its limit by up to the rate times the sync lag. {@code max(TAT + count * T, now + lead)}
     * is still at least the GCRA of both sets of requests at their real times (for any start of a run of
     * requests: if it includes an earlier request, the first term covers it; if not, only this gateway's
     * requests follow, and its local TAT covers them), and equal to the first term whenever the key is busy.
     * It needs the TAT a batch was admitted under, even if that TAT passed before the batch arrived: hence
     * {@code keepMillis}, at least the longest a working sync can lag.
     */
    CompletionStage<Reply> sync(List<Push> pushes, long keepMillis);

    @Override
    default void close() {}

    /** Completes when the connection to Redis is up (at once for a sync that needs none). */
    default java.util.concurrent.CompletableFuture<?> ready() {
        return java.util.concurrent.CompletableFuture.completedFuture(null);
    }
}
