package io.strait.gateway.jwt;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one JWT provider, for export by the admin endpoint. Reasons are the fixed rejection descriptions. */
public final class JwtMetrics {
    private final LongAdder verified = new LongAdder();
    private final LongAdder cacheHits = new LongAdder();
    private final LongAdder signatureChecks = new LongAdder();
    private final LongAdder unavailable = new LongAdder();
    private final LongAdder jwksFetches = new LongAdder();
    private final LongAdder jwksFetchFailures = new LongAdder();
    private final ConcurrentHashMap<String, LongAdder> rejected = new ConcurrentHashMap<>();

    void onVerified() { verified.increment(); }
    void onCacheHit() { cacheHits.increment(); }
    void onSignatureCheck() { signatureChecks.increment(); }
    void onUnavailable() { unavailable.increment(); }
    void onJwksFetch() { jwksFetches.increment(); }
    void onJwksFetchFailure() { jwksFetchFailures.increment(); }
    void onRejected(String reason) { rejected.computeIfAbsent(reason, r -> new LongAdder()).increment(); }

    /** Tokens accepted (cache hits included). */
    public long verified() { return verified.sum(); }
    /** Tokens accepted from the verified-token cache, without a signature check. */
    public long cacheHits() { return cacheHits.sum(); }
    /** Signature verifications performed (the expensive part). */
    public long signatureChecks() { return signatureChecks.sum(); }
    /** Requests answered "signing keys unavailable". */
    public long unavailable() { return unavailable.sum(); }
    /** JWKS fetches (or file reads) started. */
    public long jwksFetches() { return jwksFetches.sum(); }
    /** JWKS fetches that failed (transport, status, size, bad JSON, no usable key). */
    public long jwksFetchFailures() { return jwksFetchFailures.sum(); }
    /** Rejections for one reason (a fixed description such as "token expired"). */
    public long rejected(String reason) {
        LongAdder a = rejected.get(reason);
        return a == null ? 0 : a.sum();
    }
    /** All rejections by reason, sorted by reason. */
    public Map<String, Long> rejectedByReason() {
        Map<String, Long> out = new TreeMap<>();
        rejected.forEach((k, v) -> out.put(k, v.sum()));
        return out;
    }
}
