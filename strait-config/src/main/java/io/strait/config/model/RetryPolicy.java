package io.strait.config.model;

import java.time.Duration;
import java.util.Set;

/**
 * When and how a route retries a failed upstream attempt.
 *
 * @param attempts retries after the first try (Istio's meaning): 0 turns retries off
 * @param retryOn the failure kinds that are retried
 * @param statusCodes response statuses that are retried as well (numbers listed under {@code retryOn})
 * @param perTryTimeout how long one attempt may wait for the response head, null for no limit but the route's
 * @param backoffBase first backoff; attempt n waits a random time in [0, min(max, base * 2^(n-1))]
 * @param backoffMax cap of the backoff
 * @param nonIdempotent whether methods that are not idempotent (POST, PATCH, CONNECT) are retried too
 * @param budgetPercent retries in flight may be at most this share of the cluster's requests in flight
 * @param budgetMinRetries ... but at least this many retries in flight are always allowed
 */
public record RetryPolicy(
        int attempts,
        Set<RetryOn> retryOn,
        Set<Integer> statusCodes,
        Duration perTryTimeout,
        Duration backoffBase,
        Duration backoffMax,
        boolean nonIdempotent,
        int budgetPercent,
        int budgetMinRetries) {

    public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofMillis(25);
    public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMillis(250);
    public static final int DEFAULT_BUDGET_PERCENT = 20;
    public static final int DEFAULT_BUDGET_MIN_RETRIES = 3;

    /** What a route does without a {@code retries} block: two retries of a refused connection, as Istio does. */
    public static final RetryPolicy DEFAULT = new RetryPolicy(2, Set.of(RetryOn.CONNECT_FAILURE), Set.of(), null,
            DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_MAX, false, DEFAULT_BUDGET_PERCENT, DEFAULT_BUDGET_MIN_RETRIES);

    /** {@code retries: {attempts: 0}}. */
    public static final RetryPolicy NONE = new RetryPolicy(0, Set.of(), Set.of(), null,
            DEFAULT_BACKOFF_BASE, DEFAULT_BACKOFF_MAX, false, DEFAULT_BUDGET_PERCENT, DEFAULT_BUDGET_MIN_RETRIES);

    public RetryPolicy {
        retryOn = Set.copyOf(retryOn);
        statusCodes = Set.copyOf(statusCodes);
    }

    public enum RetryOn {
        /** Any 5xx response from the upstream, and every gateway error below. */
        FIVE_XX,
        /** 502, 503 or 504 from the upstream, a refused or reset connection, a per-try timeout. */
        GATEWAY_ERROR,
        /** The connection to the endpoint could not be made (refused, unreachable, connect timeout). */
        CONNECT_FAILURE,
        /** The connection was closed or reset before any of the response arrived. */
        RESET
    }
}
