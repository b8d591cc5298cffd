package io.strait.mesh.svid;

import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * When a sidecar renews its SVID: at half its lifetime, moved by a random jitter of up to
 * {@value #JITTER_PERCENT}% of the lifetime either way, so that sidecars started together do not all
 * call the CA in the same second. Half-life leaves the other half to ride out a control plane that is
 * away. The clock is injectable, so tests need not wait.
 * <p>For a certificate, the lifetime counts from when it is scheduled (just after it was issued), not from its
 * {@code notBefore}: the CA backdates that by {@code CertificateAuthority.NOT_BEFORE_SKEW} (a minute) for peers
 * whose clocks are behind, time the holder never had. Counted from {@code notBefore}, an SVID of a minute or
 * less would be due for renewal as soon as it arrived, again and again.
 */
public final class RenewalSchedule {
    /** Jitter either side of half-life, in percent of the lifetime: renewal falls between 45% and 55%. */
    public static final int JITTER_PERCENT = 5;
    private final Clock clock;
    private final RandomGenerator random;

    public RenewalSchedule(Clock clock, RandomGenerator random) {
        this.clock = clock;
        this.random = random;
    }

    /** The instant to renew a certificate valid from {@code notBefore} to {@code notAfter}. */
    public Instant renewAt(Instant notBefore, Instant notAfter) {
        long lifetime = Math.max(0, Duration.between(notBefore, notAfter).toMillis());
        long jitterRange = lifetime * JITTER_PERCENT / 100;
        long jitter = jitterRange == 0 ? 0 : random.nextLong(-jitterRange, jitterRange + 1);
        return notBefore.plusMillis(lifetime / 2 + jitter);
    }

    /** The instant to renew {@code svid}, just received: at half of the life it has left from now (or from its {@code notBefore} if later). */
    public Instant renewAt(X509Certificate svid) {
        Instant notBefore = svid.getNotBefore().toInstant();
        Instant now = clock.instant();
        return renewAt(now.isAfter(notBefore) ? now : notBefore, svid.getNotAfter().toInstant());
    }

    /**
     * A failed renewal is tried again this soon (an SVID's second half is the time its issuer has), or after a quarter of
     * the life the SVID has left when that is sooner: a short-lived SVID (10 s, in tests) gets several tries.
     */
    public static final Duration RETRY = Duration.ofSeconds(30);
    /** The shortest wait between renewal attempts: never a busy loop, even for an SVID about to expire. */
    public static final Duration MIN_RETRY = Duration.ofSeconds(1);

    /** The wait before another renewal attempt for an SVID with {@code left} to live: see {@link #RETRY}. */
    public static Duration retryAfter(Duration left) {
        Duration quarter = left.dividedBy(4);
        return quarter.compareTo(RETRY) > 0 ? RETRY : quarter.compareTo(MIN_RETRY) < 0 ? MIN_RETRY : quarter;
    }

    /** The wait before another attempt to renew {@code svid}, from now: {@link #retryAfter} of the life it has left. */
    public Duration retryDelay(X509Certificate svid) {
        return retryAfter(Duration.between(clock.instant(), svid.getNotAfter().toInstant()));
    }

    /** How long from now until {@code renewAt}; zero when it is already due. */
    public Duration delayUntil(Instant renewAt) {
        Duration d = Duration.between(clock.instant(), renewAt);
        return d.isNegative() ? Duration.ZERO : d;
    }
}
