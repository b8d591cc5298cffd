package io.strait.proxy.testing;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.function.LongSupplier;

/** Waits for a growing counter (bytes sent, bytes written) to come to a standstill. */
public final class Stall {
    private Stall() {}

    /** Waits until the counter shows the same value 300 ms apart (at most 10 s) and returns that value. */
    public static long awaitStable(LongSupplier counter) {
        long[] last = {-1};
        await().atMost(Duration.ofSeconds(10)).pollDelay(Duration.ofMillis(300)).pollInterval(Duration.ofMillis(300))
                .until(() -> {
                    long now = counter.getAsLong();
                    boolean stable = now == last[0];
                    last[0] = now;
                    return stable;
                });
        return last[0];
    }
}
