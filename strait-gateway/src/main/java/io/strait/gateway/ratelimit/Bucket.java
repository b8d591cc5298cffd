package io.strait.gateway.ratelimit;

/**
 * One bucket a request is charged to.
 *
 * @param policy the policy's name (for headers and metrics)
 * @param key the bucket's key without the store's prefix, hash-tagged: {@code {slot}:policy:part:part}
 * @param slot the hash tag's content: buckets with equal slots live in the same Redis Cluster slot and are
 *     charged in one script call
 * @param rate the limit (a plan's, when the caller's plan overrides the policy)
 * @param failOpen when the shared store cannot answer: true falls back to a local bucket, false refuses (503)
 */
public record Bucket(String policy, String key, String slot, Rate rate, boolean failOpen) {}
