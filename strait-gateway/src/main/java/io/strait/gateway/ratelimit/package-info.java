/**
 * Rate limiting: GCRA buckets keyed by descriptors (client, route, method, header...), kept in-process
 * ({@link io.strait.gateway.ratelimit.local}), in Redis with one atomic script call per request
 * ({@link io.strait.gateway.ratelimit.redis}) or in both, synchronised periodically
 * ({@link io.strait.gateway.ratelimit.hybrid}); and the route filter that charges requests and writes
 * the {@code X-RateLimit-*} headers.
 */
package io.strait.gateway.ratelimit;
