/**
 * The {@code hybrid} rate-limit store: lock-free local GCRA buckets on the request path, synchronised with
 * Redis by one background thread every {@code syncInterval}; see
 * {@link io.strait.gateway.ratelimit.hybrid.HybridRateLimitStore} for the design and the over-admission bound.
 */
package io.strait.gateway.ratelimit.hybrid;
