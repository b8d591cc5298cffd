/**
 * The Redis connection shared by the gateway's Redis-backed stores (API keys, rate limits): one lazily
 * opened Lettuce connection to a standalone Redis or a Redis Cluster that fails fast while Redis is away
 * and reconnects by itself.
 */
package io.strait.gateway.redis;
