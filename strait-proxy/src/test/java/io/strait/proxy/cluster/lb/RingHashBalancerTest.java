package io.strait.proxy.cluster.lb;

import static io.strait.proxy.cluster.lb.Fixtures.ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.Fixtures.Ctx;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RingHashBalancerTest {
    private static final HashOn BY_HEADER = new HashOn("x-user", null, false);

    private static Endpoint pick(RingHashBalancer lb, List<Endpoint> eps, String key) {
        return lb.select(eps, Ctx.header("x-user", key));
    }

    private static Map<String, Endpoint> assign(List<Endpoint> eps, int keys) {
        RingHashBalancer lb = new RingHashBalancer(BY_HEADER);
        Map<String, Endpoint> out = new HashMap<>();
        for (int i = 0; i < keys; i++) out.put("user-" + i, pick(lb, eps, "user-" + i));
        return out;
    }

    @Test
    void the_same_key_always_goes_to_the_same_endpoint_whatever_the_list_order() {
        List<Endpoint> eps = Fixtures.eps(5);
        Map<String, Endpoint> first = assign(eps, 1_000);
        List<Endpoint> reversed = new ArrayList<>(eps);
        java.util.Collections.reverse(reversed);
        assertThat(assign(List.copyOf(reversed), 1_000)).isEqualTo(first);
        RingHashBalancer lb = new RingHashBalancer(BY_HEADER);
        for (int round = 0; round < 3; round++) {
            assertThat(pick(lb, eps, "user-42")).isSameAs(first.get("user-42"));
        }
    }

    @Test
    void three_endpoints_split_keys_within_ten_percent() {
        List<Endpoint> eps = Fixtures.eps(3);
        Map<Endpoint, Integer> counts = new HashMap<>();
        assign(eps, 30_000).values().forEach(e -> counts.merge(e, 1, Integer::sum));
        assertThat(counts).hasSize(3);
        counts.values().forEach(c -> assertThat(c).isBetween(9_000, 11_000));
    }

    @Test
    void weights_scale_an_endpoints_share() {
        Endpoint heavy = ep(1, 3);
        Endpoint light = ep(2, 1);
        Map<Endpoint, Integer> counts = new HashMap<>();
        assign(List.of(heavy, light), 20_000).values().forEach(e -> counts.merge(e, 1, Integer::sum));
        assertThat(counts.get(heavy)).isBetween(14_000, 16_000);
    }

    @Test
    void removing_one_of_four_endpoints_remaps_only_its_keys() {
        List<Endpoint> four = Fixtures.eps(4);
        Endpoint removed = four.get(2);
        List<Endpoint> three = four.stream().filter(e -> e != removed).toList();
        Map<String, Endpoint> before = assign(four, 10_000);
        Map<String, Endpoint> after = assign(three, 10_000);
        int moved = 0;
        for (String key : before.keySet()) {
            if (before.get(key) != removed) {
                assertThat(after.get(key)).as(key).isSameAs(before.get(key));
            } else {
                moved++;
            }
        }
        assertThat(moved).isBetween(1_750, 3_250);
    }

    @Test
    void an_unhealthy_owner_hands_its_keys_to_the_next_endpoint_and_gets_them_back() {
        List<Endpoint> eps = Fixtures.eps(4);
        RingHashBalancer lb = new RingHashBalancer(BY_HEADER);
        Map<String, Endpoint> before = assign(eps, 2_000);
        Endpoint down = eps.get(1);
        down.healthy(false);
        lb.endpointsChanged(eps); // as the cluster does on a health change: the ring stays
        for (var e : before.entrySet()) {
            Endpoint now = pick(lb, eps, e.getKey());
            assertThat(now).isNotSameAs(down).isNotNull();
            if (e.getValue() != down) assertThat(now).isSameAs(e.getValue());
        }
        down.healthy(true);
        before.forEach((key, owner) -> assertThat(pick(lb, eps, key)).isSameAs(owner));
    }

    @Test
    void a_request_without_the_key_goes_to_a_random_healthy_endpoint() {
        List<Endpoint> eps = Fixtures.eps(3);
        eps.get(0).healthy(false);
        RingHashBalancer lb = new RingHashBalancer(BY_HEADER);
        Map<Endpoint, Integer> counts = Fixtures.count(600, () -> lb.select(eps, Ctx.empty()));
        assertThat(counts).containsOnlyKeys(eps.get(1), eps.get(2));
    }

    @Test
    void nothing_healthy_gives_null() {
        List<Endpoint> eps = Fixtures.eps(3);
        eps.forEach(e -> e.healthy(false));
        RingHashBalancer lb = new RingHashBalancer(BY_HEADER);
        assertThat(pick(lb, eps, "k")).isNull();
        assertThat(lb.select(eps, Ctx.empty())).isNull();
    }

    @Test
    void hashes_on_a_cookie() {
        List<Endpoint> eps = Fixtures.eps(8);
        RingHashBalancer lb = new RingHashBalancer(new HashOn(null, "session", false));
        var withCookie = new Ctx(new DefaultHttpHeaders().add("cookie", "theme=dark; session=abc123"), "192.0.2.1");
        var sameCookieOtherOrder = new Ctx(new DefaultHttpHeaders().add("cookie", "session=abc123;theme=light"), "192.0.2.9");
        Endpoint first = lb.select(eps, withCookie);
        for (int i = 0; i < 20; i++) {
            assertThat(lb.select(eps, withCookie)).isSameAs(first);
            assertThat(lb.select(eps, sameCookieOtherOrder)).isSameAs(first);
        }
    }

    @Test
    void hashes_on_the_source_ip() {
        List<Endpoint> eps = Fixtures.eps(8);
        RingHashBalancer lb = new RingHashBalancer(new HashOn(null, null, true));
        Endpoint first = lb.select(eps, new Ctx(new DefaultHttpHeaders(), "198.51.100.7"));
        for (int i = 0; i < 20; i++) {
            assertThat(lb.select(eps, new Ctx(new DefaultHttpHeaders().add("x", "" + i), "198.51.100.7"))).isSameAs(first);
        }
        Map<Endpoint, Integer> spread = new HashMap<>();
        for (int i = 0; i < 800; i++) {
            spread.merge(lb.select(eps, new Ctx(new DefaultHttpHeaders(), "10.1." + (i / 256) + "." + (i % 256))), 1, Integer::sum);
        }
        assertThat(spread).hasSize(8);
    }

    @Test
    void cookie_parsing() {
        var h = new DefaultHttpHeaders()
                .add("cookie", "a=1; xsession=no; session = \"quoted\" ")
                .add("cookie", "other=2");
        assertThat(HashKey.cookie(h, "session")).isEqualTo("quoted");
        assertThat(HashKey.cookie(h, "other")).isEqualTo("2");
        assertThat(HashKey.cookie(h, "a")).isEqualTo("1");
        assertThat(HashKey.cookie(h, "missing")).isNull();
        assertThat(HashKey.cookie(new DefaultHttpHeaders().add("cookie", "broken; =x; session"), "session")).isNull();
    }

    @Test
    void hash_spreads_similar_keys() {
        long a = Hashing.hash64("user-1");
        long b = Hashing.hash64("user-2");
        assertThat(Long.bitCount(a ^ b)).isBetween(16, 48);
        assertThat(Hashing.hash64("user-1")).isEqualTo(a);
    }
}
