package io.strait.proxy.cluster;

import static io.strait.proxy.cluster.ClusterFixtures.NO_REQUEST;
import static io.strait.proxy.cluster.ClusterFixtures.checks;
import static io.strait.proxy.cluster.ClusterFixtures.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.proxy.testing.TestBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A cluster's endpoints replaced by a source (a control plane's push) without rebuilding the cluster:
 * kept endpoints keep their health, ejection and load; new ones join; the others leave.
 */
class EndpointReplaceTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static EventLoopGroup group;
    private TestBackend one;
    private TestBackend two;
    private TestBackend three;
    private Cluster users;

    @BeforeAll
    static void loops() {
        group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void backends() throws InterruptedException {
        one = new TestBackend("one");
        two = new TestBackend("two");
        three = new TestBackend("three");
    }

    @AfterEach
    void stop() {
        if (users != null) users.close();
        one.close();
        two.close();
        three.close();
    }

    private static EndpointConfig ep(String address, Map<String, String> labels) {
        return new EndpointConfig(HostPort.parse(address), null, labels, 1);
    }

    private Endpoint byId(String id) {
        return users.endpoints().stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
    }

    @Test
    void keptEndpointsKeepTheirStateAndNewOnesJoin() {
        users = new Cluster(cluster("users", checks(null, 2, 2), one.address(), two.address()), null, group, null);
        users.start();
        one.status(503);
        Endpoint oldOne = byId(one.address());
        Endpoint oldTwo = byId(two.address());
        await().atMost(WAIT).until(() -> !oldOne.healthy());
        oldTwo.ejected(true); // as outlier detection would
        oldTwo.requestStarted(); // a request in flight

        users.replaceEndpoints(List.of(ep(one.address(), Map.of()), ep(two.address(), Map.of()), ep(three.address(), Map.of())));
        assertThat(users.endpoints()).extracting(Endpoint::id).containsExactly(one.address(), two.address(), three.address());
        assertThat(byId(one.address())).isSameAs(oldOne);
        assertThat(oldOne.healthy()).isFalse();
        assertThat(byId(two.address())).isSameAs(oldTwo);
        assertThat(oldTwo.ejected()).isTrue();
        assertThat(oldTwo.activeRequests()).isEqualTo(1);
        Endpoint newThree = byId(three.address());
        assertThat(newThree.healthy()).isTrue();
        for (int i = 0; i < 20; i++) assertThat(users.select(NO_REQUEST)).isSameAs(newThree);
        await().atMost(WAIT).until(() -> three.requestCount() > 0); // the new endpoint is health-checked

        // one drops out; two's labels change: a new object that keeps the verdicts
        users.replaceEndpoints(List.of(ep(two.address(), Map.of("version", "v2")), ep(three.address(), Map.of())));
        assertThat(byId(one.address())).isNull();
        Endpoint relabelled = byId(two.address());
        assertThat(relabelled).isNotSameAs(oldTwo);
        assertThat(relabelled.labels()).containsEntry("version", "v2");
        assertThat(relabelled.ejected()).isTrue();
        assertThat(byId(three.address())).isSameAs(newThree);
        int hits = one.requestCount();
        await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> one.requestCount() <= hits + 1); // no longer checked
    }

    @Test
    void aPushedNameIsResolved() {
        users = new Cluster(cluster("users", null, one.address()), null, group, null);
        users.start();
        int port = Integer.parseInt(two.address().substring(two.address().lastIndexOf(':') + 1));
        users.replaceEndpoints(List.of(ep("localhost:" + port, Map.of())));
        await().atMost(WAIT).until(() -> users.endpoints().stream().anyMatch(e -> e.id().equals("127.0.0.1:" + port)));
        assertThat(users.endpoints()).extracting(Endpoint::hostname).containsOnly("localhost");
        assertThat(users.select(NO_REQUEST).id()).isEqualTo("127.0.0.1:" + port);
    }
}
