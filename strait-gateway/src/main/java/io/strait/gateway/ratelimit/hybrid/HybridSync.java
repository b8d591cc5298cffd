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
     */
    record Push(String key, long count, long intervalMicros) {}

    /**
     * Redis's answer.
     *
     * @param redisNowMicros Redis's clock when it ran the step (Unix epoch, microseconds)
     * @param tats each key's global TAT after the step, in the order pushed: {@code max(TAT, now) + count * T}
     */
    record Reply(long redisNowMicros, long[] tats) {}

    /**
     * Adds each push's {@code count * T} to its key's global TAT (from {@code max(TAT, now)}), refreshes the
     * key's expiry, and answers the new TATs. The keys must share one hash slot. An empty list only reads
     * Redis's clock.
     */
    CompletionStage<Reply> sync(List<Push> pushes);

    @Override
    default void close() {}
}
