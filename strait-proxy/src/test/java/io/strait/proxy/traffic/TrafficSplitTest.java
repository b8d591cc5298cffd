package io.strait.proxy.traffic;

import io.strait.proxy.testing.EventLoops;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.TrafficPolicy;
import io.strait.config.model.TrafficPolicy.Split;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.cluster.ClusterSubset;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.LbContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TrafficSplitTest {
    /** Draws per statistical test. */
    private static final int N = 10_000;
    /**
     * Allowed deviation of a 10% share over {@link #N} draws: 1.5 points is 150 draws, five standard
     * deviations of the binomial (sqrt(10000 * 0.1 * 0.9) = 30), so a correct split fails about once
     * in three million runs.
     */
    private static final double TOLERANCE = 0.015;
    private static final Map<String, String> V1 = Map.of("version", "v1");
    private static final Map<String, String> V2 = Map.of("version", "v2");
    private static final Map<String, String> V3 = Map.of("version", "v3");
    private static final HashOn USER_HEADER = new HashOn("X-User", null, false);

    private record Ctx(HttpHeaders requestHeaders, String sourceIp) implements LbContext {
        static Ctx none() {
            return new Ctx(new DefaultHttpHeaders(), "192.0.2.1");
        }

        static Ctx user(String user) {
            return new Ctx(new DefaultHttpHeaders().add("X-User", user), "192.0.2.1");
        }
    }

    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private Cluster cluster;

    /** v1: 10.0.0.1-2, v2: 10.0.0.3-4, v3: 10.0.0.5. */
    @BeforeEach
    void cluster() {
        List<EndpointConfig> eps = List.of(
                ep(1, V1), ep(2, V1), ep(3, V2), ep(4, V2), ep(5, V3));
        cluster = new Cluster(new ClusterConfig("users", eps, LoadBalancerKind.ROUND_ROBIN, null, null,
                ClusterConfig.UpstreamProtocol.HTTP1, null, null, Duration.ofSeconds(30)), null, LOOPS.group(), null);
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    private static EndpointConfig ep(int n, Map<String, String> labels) {
        return new EndpointConfig(HostPort.parse("10.0.0." + n + ":80"), null, labels, 1);
    }

    private static TrafficPolicy split(HashOn sticky, Split... entries) {
        return new TrafficPolicy(Map.of(), List.of(entries), sticky, null, null);
    }

    private void down(Map<String, String> labels) {
        cluster.subset(labels).endpoints().forEach(e -> e.healthy(false));
    }

    private static String version(Endpoint e) {
        return e == null ? "none" : e.labels().get("version");
    }

    /** How many of {@code n} requests (the i-th built by {@code request}) went to each version. */
    private static Map<String, Integer> versions(TrafficSplit split, int n, IntFunction<LbContext> request) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < n; i++) counts.merge(version(split.select(request.apply(i))), 1, Integer::sum);
        return counts;
    }

    private static void assertShare(Map<String, Integer> counts, String version, double share) {
        double actual = counts.getOrDefault(version, 0) / (double) N;
        assertThat(actual).as("share of %s in %s", version, counts).isBetween(share - TOLERANCE, share + TOLERANCE);
    }

    @Test
    void a_random_split_follows_the_weights() {
        TrafficSplit split = TrafficSplit.of(split(null, new Split(V1, 90), new Split(V2, 10)), cluster);
        assertThat(split.sticky()).isFalse();
        Map<String, Integer> counts = versions(split, N, i -> Ctx.none());
        assertThat(counts.keySet()).containsOnly("v1", "v2");
        assertShare(counts, "v2", 0.10);

        Map<String, Integer> picked = new HashMap<>();
        for (int i = 0; i < N; i++) picked.merge(split.pick(Ctx.none()).labels().get("version"), 1, Integer::sum);
        assertShare(picked, "v2", 0.10);
    }

    @Test
    void weights_are_relative() {
        TrafficSplit split = TrafficSplit.of(split(null, new Split(V1, 3), new Split(V2, 1)), cluster);
        assertShare(versions(split, N, i -> Ctx.none()), "v2", 0.25);
    }

    @Test
    void an_entry_of_weight_zero_is_never_picked() {
        TrafficSplit split = TrafficSplit.of(split(null, new Split(V1, 50), new Split(V3, 0), new Split(V2, 50)), cluster);
        assertThat(split.subsets()).extracting(ClusterSubset::labels).containsExactly(V1, V2);
        Map<String, Integer> counts = versions(split, N, i -> Ctx.none());
        assertThat(counts.keySet()).containsOnly("v1", "v2");
        assertShare(counts, "v2", 0.50);
        // not even as a spill-over target
        down(V1);
        down(V2);
        assertThat(split.select(Ctx.none())).isNull();
    }

    @Test
    void a_sticky_user_always_lands_on_the_same_subset() {
        TrafficSplit split = TrafficSplit.of(split(USER_HEADER, new Split(V1, 90), new Split(V2, 10)), cluster);
        assertThat(split.sticky()).isTrue();
        int onV2 = 0;
        for (int user = 0; user < 300; user++) {
            Ctx ctx = Ctx.user("user-" + user);
            String first = version(split.select(ctx));
            assertThat(versions(split, 20, i -> ctx)).containsOnlyKeys(first);
            assertThat(split.pick(ctx).labels().get("version")).isEqualTo(first);
            if (first.equals("v2")) onV2++;
        }
        assertThat(onV2).isPositive();
    }

    @Test
    void sticky_users_are_shared_by_the_weights() {
        TrafficSplit split = TrafficSplit.of(split(USER_HEADER, new Split(V1, 90), new Split(V2, 10)), cluster);
        assertShare(versions(split, N, i -> Ctx.user("user-" + i)), "v2", 0.10);
        // keys that differ in one character spread as well
        assertShare(versions(split, N, i -> Ctx.user(Integer.toString(i))), "v2", 0.10);
    }

    @Test
    void a_cookie_or_the_source_ip_can_be_the_sticky_key() {
        TrafficSplit byCookie = TrafficSplit.of(split(new HashOn(null, "uid", false), new Split(V1, 90), new Split(V2, 10)), cluster);
        IntFunction<LbContext> cookie = i -> new Ctx(
                new DefaultHttpHeaders().add(HttpHeaderNames.COOKIE, "theme=dark; uid=u" + i), "192.0.2.1");
        assertShare(versions(byCookie, N, cookie), "v2", 0.10);
        for (int i = 0; i < 50; i++) {
            LbContext ctx = cookie.apply(i);
            assertThat(versions(byCookie, 10, x -> ctx)).hasSize(1);
        }

        TrafficSplit byIp = TrafficSplit.of(split(new HashOn(null, null, true), new Split(V1, 90), new Split(V2, 10)), cluster);
        IntFunction<LbContext> ip = i -> new Ctx(new DefaultHttpHeaders(), "10.1." + (i / 256) + "." + (i % 256));
        assertShare(versions(byIp, N, ip), "v2", 0.10);
        for (int i = 0; i < 50; i++) {
            LbContext ctx = ip.apply(i);
            assertThat(versions(byIp, 10, x -> ctx)).hasSize(1);
        }
    }

    @Test
    void a_request_without_the_sticky_key_is_drawn_at_random() {
        TrafficSplit split = TrafficSplit.of(split(USER_HEADER, new Split(V1, 90), new Split(V2, 10)), cluster);
        assertShare(versions(split, N, i -> Ctx.none()), "v2", 0.10);
        assertShare(versions(split, N, i -> Ctx.user("")), "v2", 0.10);
    }

    @Test
    void raising_a_weight_moves_only_the_users_in_between() {
        TrafficSplit ten = TrafficSplit.of(split(USER_HEADER, new Split(V1, 90), new Split(V2, 10)), cluster);
        TrafficSplit twenty = TrafficSplit.of(split(USER_HEADER, new Split(V1, 80), new Split(V2, 20)), cluster);
        int moved = 0;
        for (int user = 0; user < N; user++) {
            Ctx ctx = Ctx.user("user-" + user);
            String before = version(ten.select(ctx));
            String after = version(twenty.select(ctx));
            if (before.equals("v2")) assertThat(after).as("user-%d", user).isEqualTo("v2");
            if (!before.equals(after)) moved++;
        }
        assertThat(moved / (double) N).isBetween(0.10 - TOLERANCE, 0.10 + TOLERANCE);
    }

    @Test
    void a_subset_without_healthy_endpoints_spills_over_and_takes_its_users_back() {
        TrafficSplit split = TrafficSplit.of(split(USER_HEADER, new Split(V1, 90), new Split(V2, 10)), cluster);
        String v2User = null;
        for (int user = 0; v2User == null; user++) {
            if (version(split.select(Ctx.user("user-" + user))).equals("v2")) v2User = "user-" + user;
        }
        down(V2);
        assertThat(versions(split, N, i -> Ctx.user("user-" + i))).containsOnlyKeys("v1");
        assertThat(versions(split, N, i -> Ctx.none())).containsOnlyKeys("v1");
        assertThat(split.pick(Ctx.user(v2User)).labels()).isEqualTo(V1);

        cluster.subset(V2).endpoints().forEach(e -> e.healthy(true));
        assertThat(version(split.select(Ctx.user(v2User)))).isEqualTo("v2");
        assertThat(split.pick(Ctx.user(v2User)).labels()).isEqualTo(V2);
    }

    @Test
    void spill_over_goes_to_the_heaviest_entry_with_healthy_endpoints() {
        TrafficSplit split = TrafficSplit.of(split(null, new Split(V3, 10), new Split(V1, 60), new Split(V2, 30)), cluster);
        down(V1);
        // v1's 60% all go to v2 (30, heavier than v3's 10)
        Map<String, Integer> counts = versions(split, N, i -> Ctx.none());
        assertThat(counts).containsOnlyKeys("v2", "v3");
        assertShare(counts, "v3", 0.10);
        down(V2);
        assertThat(versions(split, 100, i -> Ctx.none())).containsOnlyKeys("v3");
    }

    @Test
    void with_no_healthy_endpoint_anywhere_nothing_is_selected() {
        TrafficSplit split = TrafficSplit.of(split(null, new Split(V1, 90), new Split(V2, 10)), cluster);
        down(V1);
        down(V2);
        assertThat(versions(split, 100, i -> Ctx.none())).containsOnlyKeys("none");
        assertThat(split.pick(Ctx.none()).labels()).isIn(V1, V2);
    }

    @Test
    void a_pinned_subset_takes_every_request_and_never_falls_back() {
        TrafficSplit pinned = TrafficSplit.of(new TrafficPolicy(V2, List.of(), null, null, null), cluster);
        assertThat(pinned.subsets()).extracting(ClusterSubset::labels).containsExactly(V2);
        Map<String, Integer> counts = versions(pinned, 100, i -> Ctx.none());
        assertThat(counts).containsOnlyKeys("v2");
        assertThat(TrafficSplit.pinned(cluster.subset(V3)).select(Ctx.none()).id()).isEqualTo("10.0.0.5:80");
        down(V2);
        assertThat(pinned.select(Ctx.none())).isNull();
        assertThat(pinned.pick(Ctx.none()).labels()).isEqualTo(V2);
    }

    @Test
    void no_policy_is_the_whole_cluster() {
        for (TrafficPolicy policy : new TrafficPolicy[] {null, TrafficPolicy.NONE}) {
            TrafficSplit all = TrafficSplit.of(policy, cluster);
            assertThat(all.subsets()).extracting(ClusterSubset::labels).containsExactly(Map.of());
            assertThat(versions(all, 10, i -> Ctx.none())).containsOnlyKeys("v1", "v2", "v3");
        }
    }

    @Test
    void policies_the_validation_should_refuse_fail_at_build() {
        assertThatThrownBy(() -> TrafficSplit.of(new TrafficPolicy(V1, List.of(new Split(V2, 1)), null, null, null), cluster))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("users").hasMessageContaining("subset");
        assertThatThrownBy(() -> TrafficSplit.of(split(null, new Split(V1, 0), new Split(V2, 0)), cluster))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive weight");
        assertThatThrownBy(() -> TrafficSplit.of(split(null, new Split(V1, -1), new Split(V2, 1)), cluster))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(">= 0");
    }
}
