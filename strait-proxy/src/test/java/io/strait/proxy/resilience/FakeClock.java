package io.strait.proxy.resilience;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nanosecond clock that moves only when told to. */
final class FakeClock implements LongSupplier {
    // not 0: real nanoTime values are arbitrary, and code must not assume a zero origin
    private final AtomicLong now = new AtomicLong(1_234_567_890_123L);

    @Override
    public long getAsLong() {
        return now.get();
    }

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }
}
