package io.strait.gateway.ratelimit;

/**
 * A bucket after a request was charged to it (or refused).
 *
 * @param allowed whether this bucket had room for the request
 * @param remaining requests the bucket would still admit right now
 * @param resetAfterMicros time until the bucket is full again ({@code X-RateLimit-Reset})
 * @param retryAfterMicros when refused: time until one request would be admitted; else 0
 */
public record BucketState(boolean allowed, long remaining, long resetAfterMicros, long retryAfterMicros) {}
