package io.strait.gateway.ratelimit;

/** Unix-epoch time in microseconds; tests pass their own. */
@FunctionalInterface
public interface MicroClock {
    long nowMicros();

    /**
     * The wall clock read once, then advanced by {@link System#nanoTime()}: epoch-aligned for the
     * {@code X-RateLimit-Reset} header, and never stepping back when NTP adjusts the wall clock.
     */
    MicroClock SYSTEM = new MicroClock() {
        private final long originMicros = System.currentTimeMillis() * 1000;
        private final long originNanos = System.nanoTime();

        @Override
        public long nowMicros() {
            return originMicros + (System.nanoTime() - originNanos) / 1000;
        }
    };
}
