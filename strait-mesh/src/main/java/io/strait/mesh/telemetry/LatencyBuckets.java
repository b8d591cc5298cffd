package io.strait.mesh.telemetry;

/**
 * The fixed latency buckets of the mesh's telemetry: the sidecars' {@code strait_mesh_request_duration_seconds} and
 * the counts each report carries ({@code InboundEdge.latency_buckets} in {@code telemetry.proto}), so that the control
 * plane merges the histograms of every reporter by adding counts. From half a millisecond (a call between two
 * sidecars on one host) to 30 s (a slow call through several hops), about 2.5x apart as Istio's buckets are.
 */
public final class LatencyBuckets {
    /** The upper bounds, in milliseconds; one more bucket, +Inf, follows. */
    private static final double[] BOUNDS_MILLIS = {0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
    /** How many counts a histogram has: the bounds and +Inf. */
    public static final int COUNT = BOUNDS_MILLIS.length + 1;
    private static final long[] BOUNDS_NANOS = new long[BOUNDS_MILLIS.length];

    static {
        for (int i = 0; i < BOUNDS_MILLIS.length; i++) BOUNDS_NANOS[i] = (long) (BOUNDS_MILLIS[i] * 1_000_000);
    }

    private LatencyBuckets() {}

    /** The bounds in seconds, for the Prometheus histogram. */
    public static double[] boundsSeconds() {
        double[] s = new double[BOUNDS_MILLIS.length];
        for (int i = 0; i < s.length; i++) s[i] = BOUNDS_MILLIS[i] / 1000;
        return s;
    }

    /** The bucket of a duration: the first whose bound it does not exceed, else the last (+Inf). */
    public static int index(long nanos) {
        long[] b = BOUNDS_NANOS;
        for (int i = 0; i < b.length; i++) {
            if (nanos <= b[i]) return i;
        }
        return b.length;
    }

    /**
     * The {@code q} quantile (0..1) in milliseconds of a histogram's (non-cumulative) counts, as Prometheus'
     * {@code histogram_quantile} estimates it: linear within the bucket the rank falls in (from 0 for the first), and
     * the highest finite bound when it falls in +Inf. Null for an empty histogram.
     */
    public static Double quantileMillis(long[] counts, double q) {
        long total = 0;
        for (long c : counts) total += c;
        if (total == 0) return null;
        double rank = q * total;
        long below = 0;
        for (int i = 0; i < counts.length; i++) {
            long c = counts[i];
            if (c > 0 && below + c >= rank) {
                if (i >= BOUNDS_MILLIS.length) return BOUNDS_MILLIS[BOUNDS_MILLIS.length - 1];
                double lower = i == 0 ? 0 : BOUNDS_MILLIS[i - 1];
                return lower + (BOUNDS_MILLIS[i] - lower) * ((rank - below) / c);
            }
            below += c;
        }
        return BOUNDS_MILLIS[BOUNDS_MILLIS.length - 1];
    }
}
