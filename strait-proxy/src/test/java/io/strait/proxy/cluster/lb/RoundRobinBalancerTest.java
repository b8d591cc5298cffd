package io.strait.proxy.cluster.lb;

import static io.strait.proxy.cluster.lb.Fixtures.ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.Fixtures.Ctx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundRobinBalancerTest {
    private final Endpoint a = ep(1, 5);
    private final Endpoint b = ep(2, 1);
    private final Endpoint c = ep(3, 1);
    private final List<Endpoint> weighted = List.of(a, b, c);
    private final RoundRobinBalancer lb = new RoundRobinBalancer();

    private List<Endpoint> picks(List<Endpoint> endpoints, int n) {
        List<Endpoint> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(lb.select(endpoints, Ctx.empty()));
        return out;
    }

    @Test
    void weights_5_1_1_give_nginx_smooth_sequence() {
        lb.endpointsChanged(weighted);
        assertThat(picks(weighted, 14)).containsExactly(a, a, b, a, c, a, a, a, a, b, a, c, a, a);
    }

    @Test
    void equal_weights_rotate_in_order() {
        List<Endpoint> eps = Fixtures.eps(3);
        assertThat(picks(eps, 6)).containsExactly(eps.get(0), eps.get(1), eps.get(2), eps.get(0), eps.get(1), eps.get(2));
    }

    @Test
    void weights_sharing_a_divisor_give_the_same_sequence_as_reduced_weights() {
        Endpoint x = ep(1, 10);
        Endpoint y = ep(2, 20);
        List<Endpoint> eps = List.of(x, y);
        assertThat(picks(eps, 6)).containsExactly(y, x, y, y, x, y);
    }

    @Test
    void skips_an_endpoint_that_turned_unhealthy_before_a_rebuild() {
        lb.endpointsChanged(weighted);
        b.healthy(false);
        List<Endpoint> picks = picks(weighted, 70);
        assertThat(picks).doesNotContain(b).contains(a, c);
    }

    @Test
    void after_a_rebuild_the_weights_hold_among_the_healthy() {
        a.healthy(false);
        lb.endpointsChanged(weighted);
        Endpoint x = ep(4, 3);
        List<Endpoint> eps = List.of(a, b, c, x);
        x.healthy(true);
        lb.endpointsChanged(eps);
        Map<Endpoint, Integer> counts = Fixtures.count(500, () -> lb.select(eps, Ctx.empty()));
        assertThat(counts).containsOnlyKeys(b, c, x).containsEntry(b, 100).containsEntry(c, 100).containsEntry(x, 300);
    }

    @Test
    void a_recovered_endpoint_left_out_of_the_schedule_is_used_when_all_others_are_down() {
        b.healthy(false);
        lb.endpointsChanged(weighted);
        a.healthy(false);
        c.healthy(false);
        b.healthy(true); // no rebuild: the schedule only has a and c
        assertThat(picks(weighted, 5)).containsOnly(b);
    }

    @Test
    void nothing_healthy_gives_null() {
        weighted.forEach(e -> e.healthy(false));
        assertThat(lb.select(weighted, Ctx.empty())).isNull();
        assertThat(lb.select(List.of(), Ctx.empty())).isNull();
    }

    @Test
    void huge_weights_are_scaled_into_a_bounded_schedule() {
        Endpoint heavy = ep(1, 1000);
        Endpoint light = ep(2, 7);
        Endpoint other = ep(3, 999);
        List<Endpoint> eps = List.of(heavy, light, other);
        Endpoint[] slots = RoundRobinBalancer.smooth(eps);
        assertThat(slots.length).isLessThanOrEqualTo(RoundRobinBalancer.MAX_SCHEDULE_LENGTH);
        assertThat(slots).contains(light);
    }

    @Test
    void concurrent_selects_keep_exact_weights() throws InterruptedException {
        lb.endpointsChanged(weighted);
        Map<Endpoint, AtomicInteger> counts = new ConcurrentHashMap<>();
        int threads = 4;
        int perThread = 7_000;
        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            running.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < perThread; i++) {
                    counts.computeIfAbsent(lb.select(weighted, Ctx.empty()), k -> new AtomicInteger()).incrementAndGet();
                }
            }));
        }
        for (Thread t : running) t.join();
        assertThat(counts.get(a)).hasValue(20_000);
        assertThat(counts.get(b)).hasValue(4_000);
        assertThat(counts.get(c)).hasValue(4_000);
    }
}
