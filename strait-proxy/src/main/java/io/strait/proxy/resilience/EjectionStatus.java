package io.strait.proxy.resilience;

import java.time.Instant;

/**
 * One endpoint's outlier-detection state as the admin output shows it.
 *
 * @param ejected whether it is out of load balancing now
 * @param ejections how many times it has been ejected (since the detector first saw it)
 * @param ejectedUntil when it may return (at the next detector run after that), or null when not ejected
 */
public record EjectionStatus(boolean ejected, int ejections, Instant ejectedUntil) {
    /** An endpoint outlier detection has never looked at. */
    public static final EjectionStatus NONE = new EjectionStatus(false, 0, null);
}
