package io.strait.gateway.jwt;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The signing keys of one provider, kept fresh in the background. Readers take {@link #current()} (a volatile read).
 * At most one fetch runs at a time and every caller waiting for keys shares it. A failed fetch keeps the previous keys
 * (stale-while-error) and is retried with exponential backoff; on-demand fetches (unknown {@code kid}, no keys yet) are
 * rate limited.
 */
final class JwksCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JwksCache.class);
    /** Jitter takes up to 20% off each retry delay so gateways restarted together do not retry in lockstep. */
    private static final double RETRY_JITTER = 0.2;

    private final String provider;
    private final JwksSource source;
    private final ScheduledExecutorService scheduler;
    private final JwtTuning tuning;
    private final JwtMetrics metrics;
    private final BiConsumer<KeySet, KeySet> onChange;
    private final CompletableFuture<Void> firstLoad = new CompletableFuture<>();
    private volatile KeySet keys;

    // Guarded by this.
    private byte[] lastDigest;
    private CompletableFuture<KeySet> inFlight;
    private long lastOnDemandNanos;
    private boolean onDemandUsed;
    private int failures;
    private ScheduledFuture<?> next;
    private boolean closed;

    JwksCache(String provider, JwksSource source, ScheduledExecutorService scheduler, JwtTuning tuning,
            JwtMetrics metrics, BiConsumer<KeySet, KeySet> onChange) {
        this.provider = provider;
        this.source = source;
        this.scheduler = scheduler;
        this.tuning = tuning;
        this.metrics = metrics;
        this.onChange = onChange;
    }

    /** Starts the first fetch. */
    void start() {
        CompletableFuture<KeySet> f;
        synchronized (this) {
            f = inFlight == null ? beginLocked() : null;
        }
        if (f != null) run(f);
    }

    /** The current keys, or null when none were ever loaded. Never blocks. */
    KeySet current() {
        return keys;
    }

    /** Completes when keys are loaded for the first time (never fails). */
    CompletableFuture<Void> firstLoad() {
        return firstLoad;
    }

    /**
     * A fetch for a caller that found no usable key: the fetch already in flight, a new one when the rate limit allows,
     * or null. The result completes with the keys after the fetch (the old ones if it failed; null if there are none).
     */
    CompletableFuture<KeySet> fetchOnDemand() {
        CompletableFuture<KeySet> f;
        synchronized (this) {
            if (closed) return null;
            if (inFlight != null) return inFlight;
            long now = System.nanoTime();
            if (onDemandUsed && now - lastOnDemandNanos < tuning.refetchInterval().toNanos()) return null;
            onDemandUsed = true;
            lastOnDemandNanos = now;
            f = beginLocked();
        }
        run(f);
        return f;
    }

    private CompletableFuture<KeySet> beginLocked() {
        inFlight = new CompletableFuture<>();
        return inFlight;
    }

    private void run(CompletableFuture<KeySet> result) {
        metrics.onJwksFetch();
        CompletableFuture<byte[]> fetch;
        try {
            fetch = source.fetch();
        } catch (RuntimeException e) {
            fetch = CompletableFuture.failedFuture(e);
        }
        fetch.whenComplete((body, error) -> completed(result, body, error));
    }

    private void completed(CompletableFuture<KeySet> result, byte[] body, Throwable error) {
        KeySet parsed = null;
        String failure = null;
        byte[] digest = null;
        if (error != null) {
            failure = reason(error);
        } else if (body != null) {
            digest = sha256(body);
            try {
                parsed = KeySet.parse(body);
            } catch (java.text.ParseException | RuntimeException e) {
                failure = "invalid JWKS document";
            }
        }
        KeySet old;
        KeySet now;
        boolean changed = false;
        synchronized (this) {
            inFlight = null;
            old = keys;
            if (failure != null) {
                failures++;
            } else {
                failures = 0;
                if (parsed != null && !MessageDigest.isEqual(digest, lastDigest)) {
                    keys = parsed;
                    lastDigest = digest;
                    changed = true;
                }
            }
            now = keys;
            scheduleLocked(failure == null ? source.nextAfterSuccess() : retryDelay(failures));
        }
        if (failure != null) {
            metrics.onJwksFetchFailure();
            log.warn("jwt provider {}: JWKS fetch from {} failed ({}); {}", provider, source.describe(), failure,
                    now == null ? "no signing keys yet" : "keeping the cached keys");
        } else if (changed) {
            log.info("jwt provider {}: loaded {} signing key(s) from {}", provider, now.size(), source.describe());
            if (old != null) onChange.accept(old, now);
            firstLoad.complete(null);
        }
        result.complete(now);
    }

    private void scheduleLocked(Duration delay) {
        if (closed) return;
        if (next != null) next.cancel(false);
        try {
            next = scheduler.schedule(this::refresh, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            next = null; // the scheduler is shutting down
        }
    }

    private void refresh() {
        CompletableFuture<KeySet> f;
        synchronized (this) {
            if (closed || inFlight != null) return; // the fetch in flight schedules the next one
            f = beginLocked();
        }
        run(f);
    }

    private Duration retryDelay(int failureCount) {
        long base = tuning.retryBase().toMillis();
        long max = tuning.retryMax().toMillis();
        int shift = Math.min(failureCount - 1, 30);
        long delay = Math.min(max, base << shift);
        if (delay < 0) delay = max;
        long jitter = (long) (delay * RETRY_JITTER * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(Math.max(1, delay - jitter));
    }

    private static String reason(Throwable e) {
        Throwable t = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
        if (t instanceof JwksException) return t.getMessage();
        if (t instanceof TimeoutException || t instanceof java.net.http.HttpTimeoutException) return "timed out";
        if (t instanceof java.net.ConnectException) return "connection refused";
        if (t instanceof java.io.IOException) return "I/O error";
        return "unexpected error";
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            if (next != null) next.cancel(false);
            next = null;
        }
    }
}
