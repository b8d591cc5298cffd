package io.strait.proxy.dashboard;

/**
 * Percentiles from a classic histogram's cumulative bucket counts, as Prometheus' {@code histogram_quantile}
 * computes them: find the bucket the rank falls in and interpolate linearly inside it (from 0 for the first
 * bucket); a rank in the {@code +Inf} bucket answers the highest finite bound. Used on the difference of two
 * scrapes, so the percentile is the one of the requests between them.
 */
final class Quantiles {
    private Quantiles() {}

    /**
     * The {@code q} quantile (0..1) of the observations counted in {@code cumulative} (one count per upper bound,
     * ascending, the last being {@code +Inf}), or {@code NaN} when there are none.
     */
    static double quantile(double q, double[] upperBounds, long[] cumulative) {
        int n = upperBounds.length;
        if (n == 0) return Double.NaN;
        long total = cumulative[n - 1];
        if (total <= 0) return Double.NaN;
        double rank = q * total;
        int b = 0;
        while (b < n - 1 && cumulative[b] < rank) b++;
        if (Double.isInfinite(upperBounds[b])) return n >= 2 ? upperBounds[n - 2] : Double.NaN;
        double lower = b == 0 ? 0 : upperBounds[b - 1];
        long below = b == 0 ? 0 : cumulative[b - 1];
        long inBucket = cumulative[b] - below;
        if (inBucket <= 0) return upperBounds[b];
        return lower + (upperBounds[b] - lower) * ((rank - below) / inBucket);
    }

    /** {@code later - earlier}, bucket by bucket (a counter reset, e.g. a restarted series, counts as no traffic). */
    static long[] delta(long[] later, long[] earlier) {
        long[] d = new long[later.length];
        if (earlier == null || earlier.length != later.length) return later.clone();
        for (int i = 0; i < later.length; i++) d[i] = Math.max(0, later[i] - earlier[i]);
        return d;
    }
}
