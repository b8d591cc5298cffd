package io.strait.proxy.cluster.lb;

import static io.strait.proxy.cluster.lb.Fixtures.ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.Fixtures.Ctx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RandomBalancerTest {
    private static final int PICKS = 10_000;
    private final RandomBalancer lb = new RandomBalancer();

    /** Asserts a binomial count within 5 standard deviations of its mean (a false failure about once in 3.5 million). */
    private static void assertNear(Integer count, double p) {
        double mean = PICKS * p;
        double sigma = Math.sqrt(PICKS * p * (1 - p));
        assertThat(count).isNotNull();
        assertThat((double) count).isBetween(mean - 5 * sigma, mean + 5 * sigma);
    }

    @Test
    void picks_in_proportion_to_weight() {
        Endpoint a = ep(1, 1);
        Endpoint b = ep(2, 2);
        Endpoint c = ep(3, 7);
        List<Endpoint> eps = List.of(a, b, c);
        Map<Endpoint, Integer> counts = Fixtures.count(PICKS, () -> lb.select(eps, Ctx.empty()));
        assertThat(counts).containsOnlyKeys(a, b, c);
        assertNear(counts.get(a), 0.1);
        assertNear(counts.get(b), 0.2);
        assertNear(counts.get(c), 0.7);
    }

    @Test
    void equal_weights_are_uniform() {
        List<Endpoint> eps = Fixtures.eps(4);
        Map<Endpoint, Integer> counts = Fixtures.count(PICKS, () -> lb.select(eps, Ctx.empty()));
        eps.forEach(e -> assertNear(counts.get(e), 0.25));
    }

    @Test
    void unhealthy_endpoints_are_left_out_and_the_rest_keep_their_weights() {
        Endpoint a = ep(1, 1);
        Endpoint b = ep(2, 3);
        Endpoint c = ep(3, 6);
        List<Endpoint> eps = List.of(a, b, c);
        c.healthy(false);
        lb.endpointsChanged(eps);
        Map<Endpoint, Integer> counts = Fixtures.count(PICKS, () -> lb.select(eps, Ctx.empty()));
        assertThat(counts).containsOnlyKeys(a, b);
        assertNear(counts.get(a), 0.25);
        assertNear(counts.get(b), 0.75);
    }

    @Test
    void a_stale_snapshot_still_skips_an_endpoint_that_went_down() {
        List<Endpoint> eps = Fixtures.eps(3);
        lb.endpointsChanged(eps);
        eps.get(1).healthy(false);
        assertThat(Fixtures.count(1_000, () -> lb.select(eps, Ctx.empty()))).containsOnlyKeys(eps.get(0), eps.get(2));
    }

    @Test
    void nothing_healthy_gives_null() {
        List<Endpoint> eps = Fixtures.eps(2);
        eps.forEach(e -> e.healthy(false));
        assertThat(lb.select(eps, Ctx.empty())).isNull();
    }
}
