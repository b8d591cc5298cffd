package io.strait.proxy.exchange;

import io.strait.config.model.RetryPolicy;
import io.strait.proxy.resilience.AttemptResult;
import java.util.Set;

/** What a route's {@link RetryPolicy} says about a failed attempt; pure functions, no state. */
final class RetryRules {
    /** Methods RFC 9110 section 9.2.2 calls idempotent: safe to send again after the upstream may have seen them. */
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE");

    private RetryRules() {}

    /** Whether a request the upstream may have seen can be sent again: idempotent, or the route allows any. */
    static boolean mayResend(RetryPolicy p, String method) {
        return p.nonIdempotent() || IDEMPOTENT.contains(method);
    }

    /** Whether the policy retries failures after the request was sent (anything but refused connections). */
    static boolean retriesSentRequests(RetryPolicy p) {
        Set<RetryPolicy.RetryOn> on = p.retryOn();
        return !p.statusCodes().isEmpty() || on.size() > (on.contains(RetryPolicy.RetryOn.CONNECT_FAILURE) ? 1 : 0);
    }

    /** Whether the policy covers an attempt that ended with {@code result} (and {@code status}, for a response). */
    static boolean retryOn(RetryPolicy p, AttemptResult result, int status) {
        Set<RetryPolicy.RetryOn> on = p.retryOn();
        boolean any5xx = on.contains(RetryPolicy.RetryOn.FIVE_XX);
        boolean gateway = any5xx || on.contains(RetryPolicy.RetryOn.GATEWAY_ERROR);
        return switch (result) {
            case OK -> p.statusCodes().contains(status);
            case SERVER_ERROR -> any5xx || p.statusCodes().contains(status);
            case GATEWAY_ERROR -> gateway || p.statusCodes().contains(status);
            case CONNECT_FAILURE -> gateway || on.contains(RetryPolicy.RetryOn.CONNECT_FAILURE);
            case RESET -> gateway || on.contains(RetryPolicy.RetryOn.RESET);
            case TIMEOUT -> gateway;
            case CANCELLED -> false;
        };
    }

    /** The retry's reason as the {@code reason} label of {@code strait_upstream_retries_total}. */
    static String label(AttemptResult r) {
        return switch (r) {
            case SERVER_ERROR -> "5xx";
            case GATEWAY_ERROR -> "gateway_error";
            case CONNECT_FAILURE -> "connect_failure";
            case RESET -> "reset";
            case TIMEOUT -> "timeout";
            case OK -> "status";
            case CANCELLED -> "cancelled";
        };
    }
}
