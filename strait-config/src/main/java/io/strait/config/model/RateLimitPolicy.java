package io.strait.config.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One named limit: {@code limit} requests per {@code window}, at most {@code burst} at once, counted
 * separately for each value of its key (GCRA: a request is allowed when the bucket's theoretical
 * arrival time is at most {@code burst} emission intervals ahead of now).
 *
 * @param name the policy's name ({@code rateLimits.policies.NAME})
 * @param limit requests per window (what {@code X-RateLimit-Limit} says)
 * @param window the window, e.g. 1s, 1m, 1d
 * @param burst how many requests may arrive at once with a full bucket; defaults to {@code limit}
 * @param key what a bucket is counted per: the descriptors, in order (empty: one bucket for everyone)
 * @param onStoreError what happens when the shared store (Redis) cannot answer: OPEN falls back to a
 *     local bucket in this process, CLOSED answers 503
 * @param plans limits that replace this policy's for callers whose API key has that plan, by plan name
 */
public record RateLimitPolicy(String name, long limit, Duration window, long burst, List<Descriptor> key,
        OnStoreError onStoreError, Map<String, Plan> plans) {

    public enum OnStoreError { OPEN, CLOSED }

    /** A plan's own limit for this policy. */
    public record Plan(long limit, Duration window, long burst) {}

    /**
     * One part of a bucket key.
     *
     * @param kind what the part is taken from
     * @param header the header name for {@link Kind#HEADER}, else null
     */
    public record Descriptor(Kind kind, String header) {
        public enum Kind {
            /** The caller: API key id, else JWT subject, else the source IP (anonymous calls). */
            CLIENT,
            /** The caller's tenant, else as CLIENT. */
            TENANT,
            /** The source IP address. */
            IP,
            /** The route's name. */
            ROUTE,
            /** The request method. */
            METHOD,
            /** A request header's value ({@code header:NAME}); a missing header counts as one shared value. */
            HEADER
        }

        /** The YAML spelling: {@code client}, {@code route}, {@code header:X-Team}. */
        @Override
        public String toString() {
            return kind == Kind.HEADER ? "header:" + header : kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
