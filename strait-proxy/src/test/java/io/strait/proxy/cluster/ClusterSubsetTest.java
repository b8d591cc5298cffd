package io.strait.proxy.cluster;

import io.strait.proxy.testing.EventLoops;
import static io.strait.proxy.cluster.ClusterFixtures.NO_REQUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.HashOn;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.proxy.cluster.lb.LbContext;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClusterSubsetTest {
    private static final Map<String, String> V1 = Map.of("version", "v1");
    private static final Map<String, String> V2 = Map.of("version", "v2");
    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    private Cluster cluster;

    @AfterEach
    void close() {
        if (cluster != null) cluster.close();
    }

    private static EndpointConfig ep(String address, Map<String, String> labels) {
        return new EndpointConfig(HostPort.parse(address), null, labels, 1);
    }

    private static ClusterConfig config(LoadBalancerKind kind, HashOn hashOn, EndpointConfig... endpoints) {
        return new ClusterConfig("users", List.of(endpoints), kind, hashOn, null,
                ClusterConfig.UpstreamProtocol.HTTP1, null, null, Duration.ofMillis(200));
    }

    /** 10.0.0.1-3 are v1 (10.0.0.3 also canary), 10.0.0.4-5 are v2, 10.0.0.6 has no labels. */
    private Cluster sixEndpoints(LoadBalancerKind kind, HashOn hashOn) {
        cluster = new Cluster(config(kind, hashOn,
                ep("10.0.0.1:80", V1),
                ep("10.0.0.2:80", V1),
                ep("10.0.0.3:80", Map.of("version", "v1", "track", "canary")),
                ep("10.0.0.4:80", V2),
                ep("10.0.0.5:80", V2),
                ep("10.0.0.6:80", Map.of())), null, LOOPS.group(), null);
        return cluster;
    }

    private static List<String> ids(List<Endpoint> endpoints) {
        return endpoints.stream().map(Endpoint::id).toList();
    }

    private Endpoint endpoint(String id) {
        return cluster.endpoints().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    private static List<String> picks(ClusterSubset subset, int n, LbContext ctx) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Endpoint e = subset.select(ctx);
            out.add(e == null ? null : e.id());
        }
        return out;
    }

    @Test
    void members_carry_every_label_asked_for() {
        sixEndpoints(LoadBalancerKind.ROUND_ROBIN, null);
        assertThat(ids(cluster.subset(V1).endpoints())).containsExactly("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
        assertThat(ids(cluster.subset(V2).endpoints())).containsExactly("10.0.0.4:80", "10.0.0.5:80");
        assertThat(ids(cluster.subset(Map.of("version", "v1", "track", "canary")).endpoints())).containsExactly("10.0.0.3:80");
        assertThat(ids(cluster.subset(Map.of("track", "canary")).endpoints())).containsExactly("10.0.0.3:80");
        assertThat(cluster.subset(Map.of("version", "v3")).endpoints()).isEmpty();
        assertThat(cluster.subset(Map.of("version", "v3")).select(NO_REQUEST)).isNull();
        assertThat(cluster.subset(V1).labels()).isEqualTo(V1);
        assertThat(cluster.subset(V1).cluster()).isSameAs(cluster);
    }

    @Test
    void no_labels_is_the_whole_cluster_with_its_own_selection() {
        sixEndpoints(LoadBalancerKind.ROUND_ROBIN, null);
        ClusterSubset whole = cluster.subset(Map.of());
        assertThat(cluster.subset(null)).isSameAs(whole);
        assertThat(whole.endpoints()).isSameAs(cluster.endpoints());
        assertThat(whole.labels()).isEmpty();
        // one round-robin sequence shared with the cluster: alternating calls still visit all six once
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            seen.add(whole.select(NO_REQUEST).id());
            seen.add(cluster.select(NO_REQUEST).id());
        }
        assertThat(seen).hasSize(6);
    }

    @Test
    void subsets_are_cached_per_label_map() {
        sixEndpoints(LoadBalancerKind.ROUND_ROBIN, null);
        ClusterSubset v1 = cluster.subset(V1);
        assertThat(cluster.subset(new HashMap<>(V1))).isSameAs(v1);
        assertThat(cluster.subset(V2)).isNotSameAs(v1);
    }

    @Test
    void round_robin_cycles_within_the_subset_only() {
        sixEndpoints(LoadBalancerKind.ROUND_ROBIN, null);
        List<String> v1 = picks(cluster.subset(V1), 9, NO_REQUEST);
        assertThat(v1).containsOnly("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
        // a full cycle every three picks
        for (int i = 0; i < 3; i++) assertThat(new HashSet<>(v1.subList(3 * i, 3 * i + 3))).hasSize(3);
        List<String> v2 = picks(cluster.subset(V2), 6, NO_REQUEST);
        assertThat(v2).containsOnly("10.0.0.4:80", "10.0.0.5:80");
        assertThat(v2.get(0)).isNotEqualTo(v2.get(1));
    }

    @Test
    void least_request_prefers_the_idler_member() {
        sixEndpoints(LoadBalancerKind.LEAST_REQUEST, null);
        Endpoint busy = endpoint("10.0.0.4:80");
        for (int i = 0; i < 5; i++) busy.requestStarted();
        // with two members, power of two choices always compares both
        assertThat(picks(cluster.subset(V2), 50, NO_REQUEST)).containsOnly("10.0.0.5:80");
    }

    @Test
    void ring_hash_keeps_a_key_on_one_member() {
        sixEndpoints(LoadBalancerKind.RING_HASH, new HashOn("X-User", null, false));
        ClusterSubset v1 = cluster.subset(V1);
        Set<String> used = new HashSet<>();
        for (int user = 0; user < 200; user++) {
            LbContext ctx = ctx("X-User", "user-" + user);
            String first = v1.select(ctx).id();
            assertThat(picks(v1, 5, ctx)).containsOnly(first);
            used.add(first);
        }
        assertThat(used).containsExactlyInAnyOrder("10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
    }

    @Test
    void unhealthy_members_leave_and_recovered_ones_come_back() {
        sixEndpoints(LoadBalancerKind.ROUND_ROBIN, null);
        ClusterSubset v2 = cluster.subset(V2);
        endpoint("10.0.0.4:80").healthy(false);
        assertThat(picks(v2, 6, NO_REQUEST)).containsOnly("10.0.0.5:80");
        assertThat(v2.hasHealthy()).isTrue();
        endpoint("10.0.0.5:80").healthy(false);
        // no fallback to other versions: none of v2 is healthy, so nothing is selected
        assertThat(picks(v2, 6, NO_REQUEST)).containsOnlyNulls();
        assertThat(v2.hasHealthy()).isFalse();
        assertThat(cluster.select(NO_REQUEST)).isNotNull();
        endpoint("10.0.0.4:80").healthy(true);
        assertThat(picks(v2, 6, NO_REQUEST)).containsOnly("10.0.0.4:80");
        endpoint("10.0.0.5:80").healthy(true);
        assertThat(picks(v2, 6, NO_REQUEST)).containsOnly("10.0.0.4:80", "10.0.0.5:80").contains("10.0.0.5:80");
    }

    @Test
    void random_balancer_follows_health_changes_of_members() {
        sixEndpoints(LoadBalancerKind.RANDOM, null);
        endpoint("10.0.0.1:80").healthy(false);
        endpoint("10.0.0.2:80").healthy(false);
        // created while two members are down: its balancer's snapshot holds only 10.0.0.3
        ClusterSubset v1 = cluster.subset(V1);
        assertThat(picks(v1, 50, NO_REQUEST)).containsOnly("10.0.0.3:80");
        endpoint("10.0.0.1:80").healthy(true);
        assertThat(picks(v1, 200, NO_REQUEST)).containsOnly("10.0.0.1:80", "10.0.0.3:80").contains("10.0.0.1:80");
    }

    @Test
    void a_subset_created_after_a_health_change_sees_it_and_the_recovery() {
        sixEndpoints(LoadBalancerKind.ROUND_ROBIN, null);
        endpoint("10.0.0.4:80").healthy(false);
        ClusterSubset v2 = cluster.subset(V2);
        assertThat(picks(v2, 4, NO_REQUEST)).containsOnly("10.0.0.5:80");
        endpoint("10.0.0.4:80").healthy(true);
        assertThat(picks(v2, 4, NO_REQUEST)).containsOnly("10.0.0.4:80", "10.0.0.5:80").contains("10.0.0.4:80");
    }

    @Test
    void members_follow_dns_answers() throws Exception {
        try (FakeDnsServer dns = new FakeDnsServer(LOOPS.group())) {
            dns.answer = List.of(InetAddress.getByName("127.0.0.21"));
            cluster = new Cluster(config(LoadBalancerKind.ROUND_ROBIN, null,
                    ep("127.0.0.11:8080", V1),
                    ep("canary.strait.test:8080", V2)), null, LOOPS.group(), null, dns.provider());
            ClusterSubset v2 = cluster.subset(V2);
            ClusterSubset v1 = cluster.subset(V1);
            assertThat(v2.endpoints()).isEmpty();
            assertThat(v2.select(NO_REQUEST)).isNull();
            cluster.start();
            cluster.whenResolved().orTimeout(5, TimeUnit.SECONDS).join();
            assertThat(ids(v2.endpoints())).containsExactly("127.0.0.21:8080");
            assertThat(v2.select(NO_REQUEST).id()).isEqualTo("127.0.0.21:8080");

            dns.answer = List.of(InetAddress.getByName("127.0.0.21"), InetAddress.getByName("127.0.0.22"));
            await().atMost(Duration.ofSeconds(5)).until(() -> v2.endpoints().size() == 2);
            assertThat(ids(v2.endpoints())).containsExactly("127.0.0.21:8080", "127.0.0.22:8080");
            assertThat(picks(v2, 2, NO_REQUEST)).containsExactlyInAnyOrder("127.0.0.21:8080", "127.0.0.22:8080");
            assertThat(ids(v1.endpoints())).containsExactly("127.0.0.11:8080");
        }
    }

    @Test
    void an_unchanged_membership_keeps_its_list() throws Exception {
        try (FakeDnsServer dns = new FakeDnsServer(LOOPS.group())) {
            dns.answer = List.of(InetAddress.getByName("127.0.0.21"));
            cluster = new Cluster(config(LoadBalancerKind.ROUND_ROBIN, null,
                    ep("127.0.0.11:8080", V1),
                    ep("canary.strait.test:8080", V2)), null, LOOPS.group(), null, dns.provider());
            ClusterSubset v1 = cluster.subset(V1);
            List<Endpoint> before = v1.endpoints();
            cluster.start();
            cluster.whenResolved().orTimeout(5, TimeUnit.SECONDS).join();
            assertThat(cluster.endpoints()).hasSize(2);
            assertThat(v1.endpoints()).isSameAs(before);
        }
    }

    private static LbContext ctx(String header, String value) {
        HttpHeaders headers = new DefaultHttpHeaders().add(header, value);
        return new LbContext() {
            @Override
            public HttpHeaders requestHeaders() {
                return headers;
            }

            @Override
            public String sourceIp() {
                return "192.0.2.1";
            }
        };
    }
}
