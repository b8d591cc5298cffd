package io.strait.proxy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Percentiles as Prometheus' histogram_quantile computes them from cumulative buckets. */
class QuantilesTest {
    private static final double[] BOUNDS = {0.1, 0.2, 0.5, Double.POSITIVE_INFINITY};

    @Test
    void interpolatesInsideTheBucketTheRankFallsIn() {
        long[] cumulative = {10, 20, 30, 30};
        assertThat(Quantiles.quantile(0.5, BOUNDS, cumulative)).isCloseTo(0.15, within(1e-9)); // rank 15: half of (0.1, 0.2]
        assertThat(Quantiles.quantile(0.99, BOUNDS, cumulative)).isCloseTo(0.2 + 0.3 * 0.97, within(1e-9)); // rank 29.7
        assertThat(Quantiles.quantile(0.25, BOUNDS, cumulative)).isCloseTo(0.075, within(1e-9)); // from 0 in the first bucket
    }

    @Test
    void aRankInTheInfiniteBucketAnswersTheHighestFiniteBound() {
        assertThat(Quantiles.quantile(0.5, BOUNDS, new long[] {0, 0, 0, 5})).isEqualTo(0.5);
    }

    @Test
    void noObservationIsNoPercentile() {
        assertThat(Quantiles.quantile(0.5, BOUNDS, new long[] {0, 0, 0, 0})).isNaN();
        assertThat(Quantiles.quantile(0.5, new double[0], new long[0])).isNaN();
    }

    @Test
    void deltasAreBucketByBucketAndAResetCountsAsNothing() {
        assertThat(Quantiles.delta(new long[] {5, 9, 12}, new long[] {2, 4, 4})).containsExactly(3, 5, 8);
        assertThat(Quantiles.delta(new long[] {1, 1, 1}, new long[] {2, 4, 4})).containsExactly(0, 0, 0);
        assertThat(Quantiles.delta(new long[] {1, 2}, null)).containsExactly(1, 2);
    }
}
