package io.strait.proxy.cluster.lb;

import static io.strait.proxy.cluster.lb.Fixtures.ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.Fixtures.Ctx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LeastRequestBalancerTest {
    private final LeastRequestBalancer lb = new LeastRequestBalancer();

    private static void load(Endpoint e, int active) {
        for (int i = 0; i < active; i++) e.requestStarted();
    }

    @Test
    void of_two_endpoints_the_less_loaded_always_wins() {
        Endpoint idle = ep(1, 1);
        Endpoint busy = ep(2, 1);
        load(busy, 3);
        List<Endpoint> eps = List.of(busy, idle);
        assertThat(Fixtures.count(1_000, () -> lb.select(eps, Ctx.empty()))).containsOnlyKeys(idle);
    }

    @Test
    void power_of_two_choices_prefers_the_least_loaded_and_never_picks_the_most_loaded() {
        Endpoint idle = ep(1, 1);
        Endpoint some = ep(2, 1);
        Endpoint busy = ep(3, 1);
        load(some, 5);
        load(busy, 10);
        List<Endpoint> eps = List.of(idle, some, busy);
        Map<Endpoint, Integer> counts = Fixtures.count(9_000, () -> lb.select(eps, Ctx.empty()));
        // idle wins every pair it is in (2 of 3 pairs), some wins the pair {some, busy}
        assertThat(counts).doesNotContainKey(busy);
        assertThat(counts.get(idle)).isBetween(5_500, 6_500);
        assertThat(counts.get(some)).isBetween(2_500, 3_500);
    }

    @Test
    void follows_load_as_it_changes() {
        Endpoint a = ep(1, 1);
        Endpoint b = ep(2, 1);
        List<Endpoint> eps = List.of(a, b);
        load(a, 2);
        assertThat(lb.select(eps, Ctx.empty())).isSameAs(b);
        load(b, 3);
        assertThat(lb.select(eps, Ctx.empty())).isSameAs(a);
        b.requestFinished();
        b.requestFinished();
        assertThat(lb.select(eps, Ctx.empty())).isSameAs(b);
    }

    @Test
    void unequal_weights_score_weight_over_active_plus_one() {
        Endpoint heavy = ep(1, 4);
        Endpoint light = ep(2, 1);
        List<Endpoint> eps = List.of(heavy, light);
        load(heavy, 2); // 4 / 3 beats 1 / 1
        assertThat(Fixtures.count(100, () -> lb.select(eps, Ctx.empty()))).containsOnlyKeys(heavy);
        load(heavy, 3); // 4 / 6 loses to 1 / 1
        assertThat(Fixtures.count(100, () -> lb.select(eps, Ctx.empty()))).containsOnlyKeys(light);
    }

    @Test
    void unhealthy_endpoints_are_never_chosen_even_when_idle() {
        Endpoint down = ep(1, 1);
        Endpoint up1 = ep(2, 1);
        Endpoint up2 = ep(3, 1);
        load(up1, 5);
        load(up2, 5);
        List<Endpoint> eps = List.of(down, up1, up2);
        lb.endpointsChanged(eps);
        down.healthy(false); // the snapshot is stale: select must still check
        assertThat(Fixtures.count(300, () -> lb.select(eps, Ctx.empty()))).containsOnlyKeys(up1, up2);
        lb.endpointsChanged(eps);
        assertThat(Fixtures.count(300, () -> lb.select(eps, Ctx.empty()))).containsOnlyKeys(up1, up2);
    }

    @Test
    void single_and_no_healthy_endpoint() {
        Endpoint only = ep(1, 1);
        assertThat(lb.select(List.of(only), Ctx.empty())).isSameAs(only);
        only.healthy(false);
        assertThat(new LeastRequestBalancer().select(List.of(only), Ctx.empty())).isNull();
        assertThat(lb.select(List.of(), Ctx.empty())).isNull();
    }
}
