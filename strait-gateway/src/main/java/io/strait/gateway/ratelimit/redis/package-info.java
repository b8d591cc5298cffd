/**
 * The {@code redis} rate-limit store: GCRA buckets in Redis (standalone or Cluster), charged by one
 * atomic Lua script call per request on Redis's clock, behind a circuit breaker.
 */
package io.strait.gateway.ratelimit.redis;
