package io.strait.gateway.ratelimit;

import java.util.List;

/**
 * A store's answer for one request. A request is admitted only when every bucket has room; then every
 * bucket is charged, otherwise none is.
 *
 * @param allowed whether the request is admitted
 * @param states one per bucket, in the order asked
 * @param nowMicros the store's clock (Unix epoch, microseconds) when it decided: Redis time for the redis store
 */
public record Verdict(boolean allowed, List<BucketState> states, long nowMicros) {
    /** Not a store's answer: the store failed and a bucket's policy says fail closed (503). */
    public static final Verdict UNAVAILABLE = new Verdict(false, List.of(), 0);
}
