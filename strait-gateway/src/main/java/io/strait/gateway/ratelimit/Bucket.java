package io.strait.gateway.ratelimit;

/**
 * One bucket a request is charged to.
 *
 * @param policy the policy's name (for headers and metrics)
 * @param key the bucket's key without the store's prefix, hash-tagged: {@code {slot}:policy:part:part}
 * @param slot the hash tag's content: buckets with equal slots live in the same Redis Cluster slot and are
 *     charged in one script call; null: read from the key when asked for (see {@link #slot()})
 * @param rate the limit (a plan's, when the caller's plan overrides the policy)
 * @param failOpen when the shared store cannot answer: true falls back to a local bucket, false refuses (503)
 */
public record Bucket(String policy, String key, String slot, Rate rate, boolean failOpen) {
    /**
     * A bucket whose key starts with its hash tag, {@code {slot}}: the filter's, per request. Most stores never ask
     * for the slot (the hybrid store does when it creates a bucket), so it is not made until asked for.
     */
    public Bucket(String policy, String key, Rate rate, boolean failOpen) {
        this(policy, key, null, rate, failOpen);
    }

    /** The hash tag's content: as given, else the text between the key's leading brace and the first closing one. */
    @Override
    public String slot() {
        return slot != null ? slot : key.substring(1, key.indexOf('}'));
    }
}
