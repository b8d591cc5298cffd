package io.strait.proxy.observe;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The last {@link #CAPACITY} exchanges that ended badly (a 5xx, or an answer Strait made itself with a reason:
 * no route, a refused request, a timeout, the client gone), for the dashboard. Fed only on errors, lock-free:
 * a slot index from one counter and a plain array write; a reader may see the newest slot a moment late.
 */
public final class RecentErrors {
    /** Enough for a screenful and the pattern of a burst; older ones are in the access log. */
    public static final int CAPACITY = 100;

    /**
     * One failed exchange.
     *
     * @param reason Strait's error code when Strait answered or cut the exchange ({@code no_route}, {@code
     *     upstream_timeout}, {@code client_closed}, ...), null when the upstream's own answer was the 5xx
     */
    public record Entry(long epochMillis, String method, String path, int status, String route, String cluster,
            String endpoint, String reason, double durationMillis, String requestId, String traceId) {}

    private final AtomicReferenceArray<Entry> ring = new AtomicReferenceArray<>(CAPACITY);
    private final AtomicLong written = new AtomicLong();

    public void add(Entry e) {
        long n = written.getAndIncrement();
        ring.set((int) (n % CAPACITY), e);
    }

    /** How many were ever added (the ring keeps the last {@link #CAPACITY}). */
    public long total() {
        return written.get();
    }

    /** The kept entries, newest first. */
    public List<Entry> newestFirst() {
        long n = written.get();
        int kept = (int) Math.min(n, CAPACITY);
        List<Entry> out = new ArrayList<>(kept);
        for (int i = 1; i <= kept; i++) {
            Entry e = ring.get((int) ((n - i) % CAPACITY));
            if (e != null) out.add(e);
        }
        return out;
    }
}
