package io.strait.proxy.resilience;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One endpoint's outlier-detection state: its error streaks and ejection history. It lives on the
 * endpoint ({@link Ejectable#outlierState()}), so a reload that keeps the endpoint keeps it too.
 */
public final class OutlierState {
    final AtomicInteger errors5xx = new AtomicInteger();
    final AtomicInteger gatewayErrors = new AtomicInteger();
    // written under the detector's lock, read by admin output
    volatile int multiplier;
    volatile int ejections;
    volatile long ejectedUntilNanos;
    volatile long returnedAtNanos;
}
