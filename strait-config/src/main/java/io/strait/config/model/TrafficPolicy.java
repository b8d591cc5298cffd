package io.strait.config.model;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How a route's requests are shaped across its cluster: a pinned subset or a weighted split over
 * subsets (by endpoint labels), sticky assignment, mirroring and fault injection.
 *
 * @param subset labels every endpoint of the route must carry (a route that pins v2), empty for all
 * @param split weighted subsets (v1 90 / v2 10); empty for none. Exclusive with {@code subset}
 * @param stickyOn what decides a request's split entry when given (hash of a header, a cookie or
 *     the source IP), so one user always lands on the same subset; null for a random choice
 * @param mirror a copy of a share of the requests sent to another cluster, or null
 * @param fault injected delays and aborts, or null
 */
public record TrafficPolicy(
        Map<String, String> subset,
        List<Split> split,
        ClusterConfig.HashOn stickyOn,
        Mirror mirror,
        Fault fault) {

    public static final TrafficPolicy NONE = new TrafficPolicy(Map.of(), List.of(), null, null, null);

    public TrafficPolicy {
        subset = Map.copyOf(subset);
        split = List.copyOf(split);
    }

    /** One subset of a split and its share (weights are relative, any positive integers). */
    public record Split(Map<String, String> subset, int weight) {
        public Split {
            subset = Map.copyOf(subset);
        }
    }

    /**
     * Fire-and-forget copies of {@code percent} of the requests to {@code cluster}; its answers are
     * dropped and it never slows the real call.
     */
    public record Mirror(String cluster, double percent) {}

    /**
     * Faults injected before the request is forwarded, for testing: {@code delayPercent} of requests
     * wait {@code delay} first; {@code abortPercent} are answered with {@code abortStatus} at once.
     */
    public record Fault(Duration delay, double delayPercent, int abortStatus, double abortPercent) {}
}
