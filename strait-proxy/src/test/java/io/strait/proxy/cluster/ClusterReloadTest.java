package io.strait.proxy.cluster;

import static io.strait.proxy.cluster.ClusterFixtures.NO_REQUEST;
import static io.strait.proxy.cluster.ClusterFixtures.checks;
import static io.strait.proxy.cluster.ClusterFixtures.cluster;
import static io.strait.proxy.cluster.ClusterFixtures.fastChecks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.strait.config.model.ClusterConfig;
import io.strait.proxy.testing.BackendExtension;
import io.strait.proxy.testing.TestBackend;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClusterReloadTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static EventLoopGroup group;
    /** One per test: tests flip their health answers, stop and restart them. */
    @RegisterExtension
    final BackendExtension oneExt = new BackendExtension("one");
    @RegisterExtension
    final BackendExtension twoExt = new BackendExtension("two");
    private TestBackend one;
    private TestBackend two;
    private ClusterManager first;
    private ClusterManager second;

    @BeforeAll
    static void loops() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void backends() {
        one = oneExt.backend();
        two = twoExt.backend();
    }

    @AfterEach
    void stop() {
        if (first != null) first.close();
        if (second != null) second.close();
    }

    private static Map<String, ClusterConfig> configs(ClusterConfig... clusters) {
        Map<String, ClusterConfig> out = new LinkedHashMap<>();
        for (ClusterConfig c : clusters) out.put(c.name(), c);
        return out;
    }

    private static Endpoint byId(Cluster c, String id) {
        return c.endpoints().stream().filter(e -> e.id().equals(id)).findFirst().orElseThrow();
    }

    @Test
    void a_manager_builds_starts_and_closes_its_clusters() {
        first = ClusterManager.create(configs(cluster("users", fastChecks(), one.address()),
                cluster("orders", null, two.address())), null, group, null);
        assertThat(first.all()).extracting(Cluster::name).containsExactly("users", "orders");
        assertThat(first.get("missing")).isNull();
        first.start();
        await().atMost(WAIT).until(() -> one.requestCount() >= 2);
        assertThat(two.requestCount()).isZero();
        assertThat(first.get("orders").select(NO_REQUEST).id()).isEqualTo(two.address());
        first.close();
        await().pollDelay(Duration.ofMillis(200)).atMost(WAIT).until(() -> true);
        int hits = one.requestCount();
        await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> one.requestCount() == hits);
    }

    @Test
    void a_reload_keeps_unhealthy_endpoints_unhealthy_and_healthy_ones_healthy() throws Exception {
        ClusterConfig users = cluster("users", checks(null, 2, 2), one.address(), two.address());
        first = ClusterManager.create(configs(users), null, group, null);
        first.start();
        one.status(503);
        Endpoint oldOne = byId(first.get("users"), one.address());
        await().atMost(WAIT).until(() -> !oldOne.healthy());

        // the reloaded config adds an endpoint and changes a weight; the shared endpoints keep their state
        TestBackend three = new TestBackend("three");
        try {
            ClusterConfig reloaded = cluster("users", checks(null, 2, 2), one.address(), two.address(), three.address());
            second = ClusterManager.create(configs(reloaded), null, group, first);
            Cluster users2 = second.get("users");
            Endpoint newOne = byId(users2, one.address());
            assertThat(newOne).isNotSameAs(oldOne);
            assertThat(newOne.healthy()).isFalse();
            assertThat(newOne.streak()).isLessThanOrEqualTo(-2);
            assertThat(newOne.lastCheck()).isNotNull();
            assertThat(byId(users2, two.address()).healthy()).isTrue();
            assertThat(byId(users2, three.address()).healthy()).isTrue();
            for (int i = 0; i < 20; i++) assertThat(users2.select(NO_REQUEST)).isNotSameAs(newOne);

            second.start();
            first.close();
            first = null;
            // still failing: stays out; then recovers in the new generation only
            await().during(Duration.ofMillis(300)).atMost(WAIT).until(() -> !newOne.healthy());
            one.status(200);
            await().atMost(WAIT).until(newOne::healthy);
            assertThat(oldOne.healthy()).isFalse();
        } finally {
            three.close();
        }
    }

    @Test
    void a_reload_that_drops_health_checks_makes_every_endpoint_healthy() {
        first = ClusterManager.create(configs(cluster("users", fastChecks(), one.address())), null, group, null);
        first.start();
        one.status(500);
        await().atMost(WAIT).until(() -> !byId(first.get("users"), one.address()).healthy());
        second = ClusterManager.create(configs(cluster("users", null, one.address())), null, group, first);
        assertThat(byId(second.get("users"), one.address()).healthy()).isTrue();
    }

    @Test
    void a_cluster_without_checks_or_names_needs_no_network_transport() {
        EventLoopGroup plain = new DefaultEventLoopGroup(1);
        try {
            Cluster c = new Cluster(cluster("static", null, "10.1.2.3:80"), null, plain, null);
            c.start();
            assertThat(c.select(NO_REQUEST).id()).isEqualTo("10.1.2.3:80");
            assertThat(c.whenResolved()).isDone();
            c.close();
            Cluster checked = new Cluster(cluster("checked", fastChecks(), "10.1.2.3:80"), null, plain, null);
            assertThatThrownBy(checked::start).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("NIO and epoll");
        } finally {
            plain.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    @Test
    void ipv6_literals_get_bracketed_ids() {
        Cluster c = new Cluster(cluster("v6", null, "[::1]:8080", "127.0.0.1:8080"), null, group, null);
        assertThat(c.endpoints()).extracting(Endpoint::id).containsExactly("[0:0:0:0:0:0:0:1]:8080", "127.0.0.1:8080");
        c.close();
    }
}
