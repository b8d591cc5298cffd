package io.strait.proxy.cluster.lb;

import static io.strait.proxy.cluster.lb.Fixtures.ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.Fixtures.Ctx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZoneAwareBalancerTest {
    private final Endpoint a1 = ep(1, 1, "a");
    private final Endpoint a2 = ep(2, 1, "a");
    private final Endpoint a3 = ep(3, 1, "a");
    private final Endpoint a4 = ep(4, 1, "a");
    private final Endpoint b1 = ep(5, 1, "b");
    private final Endpoint b2 = ep(6, 1, "b");
    private final List<Endpoint> eps = List.of(a1, b1, a2, b2, a3, a4);
    private final ZoneAwareBalancer lb = new ZoneAwareBalancer("a", 70);

    private Map<Endpoint, Integer> picks(int n) {
        return Fixtures.count(n, () -> lb.select(eps, Ctx.empty()));
    }

    @Test
    void a_healthy_local_zone_takes_all_traffic_round_robin() {
        assertThat(picks(400)).containsOnlyKeys(a1, a2, a3, a4).containsValues(100, 100, 100, 100);
    }

    @Test
    void at_or_above_the_threshold_traffic_stays_local_without_the_unhealthy() {
        a2.healthy(false); // 3 of 4 = 75% >= 70%
        lb.endpointsChanged(eps);
        assertThat(picks(300)).containsOnlyKeys(a1, a3, a4).containsValues(100, 100, 100);
    }

    @Test
    void below_the_threshold_traffic_spills_over_to_every_healthy_endpoint() {
        a2.healthy(false);
        a3.healthy(false); // 2 of 4 = 50% < 70%
        lb.endpointsChanged(eps);
        assertThat(picks(400)).containsOnlyKeys(a1, a4, b1, b2).containsValues(100, 100, 100, 100);
        a3.healthy(true); // back to 75%: local again, even before a rebuild
        assertThat(picks(300)).doesNotContainKeys(b1, b2);
        lb.endpointsChanged(eps); // as the cluster does on every health change
        assertThat(picks(300)).containsOnlyKeys(a1, a3, a4);
    }

    @Test
    void a_whole_local_zone_down_spills_over_even_with_a_zero_threshold() {
        ZoneAwareBalancer lenient = new ZoneAwareBalancer("a", 0);
        List.of(a1, a2, a3, a4).forEach(e -> e.healthy(false));
        assertThat(Fixtures.count(100, () -> lenient.select(eps, Ctx.empty()))).containsOnlyKeys(b1, b2);
    }

    @Test
    void no_local_endpoint_or_no_zone_means_every_endpoint() {
        ZoneAwareBalancer elsewhere = new ZoneAwareBalancer("c", 70);
        assertThat(Fixtures.count(600, () -> elsewhere.select(eps, Ctx.empty()))).hasSize(6);
        ZoneAwareBalancer unzoned = new ZoneAwareBalancer(null, 70);
        assertThat(Fixtures.count(600, () -> unzoned.select(eps, Ctx.empty()))).hasSize(6);
    }

    @Test
    void nothing_healthy_gives_null() {
        eps.forEach(e -> e.healthy(false));
        assertThat(lb.select(eps, Ctx.empty())).isNull();
    }
}
