package io.strait.gateway.ratelimit;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where buckets live. Implementations never block the caller (an event loop): the local store answers
 * with a completed stage, the Redis store when its reply arrives.
 */
public interface RateLimitStore extends AutoCloseable {
    /**
     * Charges one request to every bucket, all or nothing. The stage fails (with
     * {@link RateLimitStoreException}) when the store cannot answer in time; the caller then applies each
     * bucket's failure policy.
     */
    CompletionStage<Verdict> acquire(List<Bucket> buckets);

    /**
     * The same as {@link #acquire} when the store can answer at once without waiting (local and hybrid
     * stores): saves the future. Null when it cannot (the caller then uses {@link #acquire}).
     */
    default Verdict acquireNow(List<Bucket> buckets) {
        return null;
    }

    /** Whether the store's shared state is reachable (a hybrid store that cannot sync is not). */
    default boolean healthy() {
        return true;
    }

    /**
     * Waits, at most {@code limit}, until a store that connects somewhere is connected; true when it is
     * (or has nothing to connect to). Called on the control thread when a configuration is prepared.
     */
    default boolean awaitReady(java.time.Duration limit) {
        return true;
    }

    /**
     * Waits at most {@code limit} for {@code f}; true when it completed normally. For {@link #awaitReady}.
     *
     * @throws io.strait.gateway.redis.RedisConnector.AuthenticationFailed when Redis refused the credentials: a wrong
     *     password does not heal by waiting
     */
    static boolean await(java.util.concurrent.Future<?> f, java.time.Duration limit) {
        try {
            f.get(limit.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof io.strait.gateway.redis.RedisConnector.AuthenticationFailed a) throw a;
            }
            return false;
        } catch (java.util.concurrent.TimeoutException e) {
            return false;
        }
    }

    @Override
    default void close() {}
}
