package io.strait.proxy.cluster;

import static io.strait.proxy.cluster.ClusterFixtures.NO_REQUEST;
import static io.strait.proxy.cluster.ClusterFixtures.checks;
import static io.strait.proxy.cluster.ClusterFixtures.cluster;
import static io.strait.proxy.cluster.ClusterFixtures.fastChecks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.strait.config.model.HealthCheckConfig;
import io.strait.proxy.testing.BackendExtension;
import io.strait.proxy.testing.TestBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClusterHealthCheckTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static EventLoopGroup group;
    /** One per test: tests flip their health answers, stop and restart them. */
    @RegisterExtension
    final BackendExtension oneExt = new BackendExtension("one");
    @RegisterExtension
    final BackendExtension twoExt = new BackendExtension("two");
    private TestBackend one;
    private TestBackend two;
    private Cluster cluster;

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
        if (cluster != null) cluster.close();
    }

    private Cluster start(HealthCheckConfig hc) {
        cluster = new Cluster(cluster("users", hc, one.address(), two.address()), null, group, null);
        cluster.start();
        return cluster;
    }

    private Endpoint endpointOf(Cluster c, TestBackend backend) {
        return c.endpoints().stream().filter(e -> e.address().getPort() == backend.port()).findFirst().orElseThrow();
    }

    private Set<Endpoint> picks(Cluster c, int n) {
        Set<Endpoint> out = new HashSet<>();
        for (int i = 0; i < n; i++) out.add(c.select(NO_REQUEST));
        return out;
    }

    @Test
    void endpoints_start_healthy_and_are_checked_right_after_start() {
        var hourly = new HealthCheckConfig("/healthz", null, Duration.ofHours(1), Duration.ofSeconds(1), 1, 2);
        cluster = new Cluster(cluster("users", hourly, one.address(), two.address()), null, group, null);
        assertThat(cluster.endpoints()).allMatch(Endpoint::healthy).allMatch(e -> e.lastCheck() == null);
        cluster.start();
        await().atMost(WAIT).until(() -> one.requestCount() == 1 && two.requestCount() == 1);
        Endpoint e = endpointOf(cluster, one);
        await().atMost(WAIT).until(() -> e.lastCheck() != null);
        assertThat(e.lastCheck().passed()).isTrue();
        assertThat(e.lastCheck().detail()).isEqualTo("200");
        assertThat(one.lastPath()).isEqualTo("/healthz");
        assertThat(one.lastHost()).isEqualTo("127.0.0.1:" + one.port());
    }

    @Test
    void an_endpoint_answering_503_leaves_and_rejoins_when_it_answers_200() {
        start(fastChecks());
        Endpoint e1 = endpointOf(cluster, one);
        Endpoint e2 = endpointOf(cluster, two);
        await().atMost(WAIT).until(() -> one.requestCount() >= 2);
        assertThat(picks(cluster, 10)).containsExactlyInAnyOrder(e1, e2);

        one.status(503);
        await().atMost(WAIT).until(() -> !e1.healthy());
        assertThat(e1.lastCheck().detail()).isEqualTo("503");
        assertThat(picks(cluster, 50)).containsExactly(e2);

        one.status(200);
        await().atMost(WAIT).until(e1::healthy);
        assertThat(picks(cluster, 10)).containsExactlyInAnyOrder(e1, e2);
    }

    @Test
    void a_stopped_endpoint_leaves_and_rejoins_when_it_listens_again() {
        start(fastChecks());
        Endpoint e1 = endpointOf(cluster, one);
        await().atMost(WAIT).until(() -> one.requestCount() >= 1);
        one.stop();
        await().atMost(WAIT).until(() -> !e1.healthy());
        assertThat(e1.lastCheck().passed()).isFalse();
        assertThat(picks(cluster, 20)).containsExactly(endpointOf(cluster, two));
        one.restart();
        await().atMost(WAIT).until(e1::healthy);
    }

    @Test
    void a_slow_answer_is_a_timeout() {
        one.delay(2_000);
        var slow = new HealthCheckConfig("/healthz", null, Duration.ofMillis(100), Duration.ofMillis(200), 1, 1);
        start(slow);
        Endpoint e1 = endpointOf(cluster, one);
        await().atMost(WAIT).until(() -> !e1.healthy());
        assertThat(e1.lastCheck().detail()).isEqualTo("timeout");
        // on a cold JVM even the fast backend's first answer may miss 200 ms: it must be healthy soon after
        Endpoint e2 = endpointOf(cluster, two);
        await().atMost(WAIT).until(() -> e2.healthy() && two.requestCount() >= 3);
        assertThat(e1.healthy()).isFalse();
    }

    @Test
    void thresholds_count_checks_in_a_row() {
        start(checks(null, 3, 3));
        Endpoint e1 = endpointOf(cluster, one);
        await().atMost(WAIT).until(() -> one.requestCount() >= 1);
        one.status(500);
        await().atMost(WAIT).until(() -> !e1.healthy());
        // the endpoint turned unhealthy on the third failure in a row, not before
        assertThat(one.failuresServed()).isGreaterThanOrEqualTo(3);
        assertThat(e1.streak()).isLessThanOrEqualTo(-3);
        int hitsWhenDown = one.requestCount();
        one.status(204);
        await().atMost(WAIT).until(e1::healthy);
        assertThat(one.requestCount() - hitsWhenDown).isGreaterThanOrEqualTo(3);
        assertThat(e1.streak()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void checks_send_the_configured_host_and_keep_the_connection_alive() {
        start(checks("health.internal", 1, 2));
        await().atMost(WAIT).until(() -> one.requestCount() >= 5);
        assertThat(one.lastHost()).isEqualTo("health.internal");
        assertThat(one.clientPorts()).hasSize(1);
    }

    @Test
    void a_kept_alive_connection_closed_by_the_endpoint_is_retried_on_a_fresh_one() throws Exception {
        // answers the first request on each connection and closes the connection on the second one,
        // as a server whose idle timeout fires just when the next check arrives
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger connections = new AtomicInteger();
            AtomicInteger answered = new AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serveOnce(s, answered));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            var strict = new HealthCheckConfig("/healthz", null, Duration.ofMillis(50), Duration.ofMillis(500), 1, 1);
            cluster = new Cluster(cluster("users", strict, "127.0.0.1:" + server.getLocalPort()), null, group, null);
            Endpoint e = cluster.endpoints().getFirst();
            List<Boolean> results = new java.util.concurrent.CopyOnWriteArrayList<>();
            cluster.start();
            await().atMost(WAIT).until(() -> {
                if (e.lastCheck() != null) results.add(e.healthy());
                return answered.get() >= 6;
            });
            assertThat(connections.get()).isGreaterThanOrEqualTo(6);
            assertThat(results).doesNotContain(false);
            assertThat(e.streak()).isGreaterThanOrEqualTo(5);
        }
    }

    private static void serveOnce(Socket s, AtomicInteger answered) {
        try (s) {
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream()));
            var out = s.getOutputStream();
            for (int request = 1; ; request++) {
                String line;
                do {
                    line = in.readLine();
                    if (line == null) return;
                } while (!line.isEmpty());
                if (request > 1) return;
                out.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes());
                out.flush();
                answered.incrementAndGet();
            }
        } catch (IOException e) {
            // the probe went away
        }
    }

    @Test
    void no_health_check_config_means_no_checks() {
        start(null);
        await().during(Duration.ofMillis(400)).atMost(WAIT).until(() -> one.requestCount() == 0 && two.requestCount() == 0);
        one.stop();
        assertThat(cluster.endpoints()).allMatch(Endpoint::healthy);
        assertThat(cluster.describe()).allMatch(s -> s.lastCheck() == null);
    }

    @Test
    void close_stops_the_checks() {
        start(fastChecks());
        await().atMost(WAIT).until(() -> one.requestCount() >= 2);
        cluster.close();
        await().atMost(WAIT).pollDelay(Duration.ofMillis(200)).until(() -> true);
        int hits = one.requestCount();
        await().during(Duration.ofMillis(500)).atMost(WAIT).until(() -> one.requestCount() == hits);
    }

    @Test
    @SuppressWarnings("unchecked")
    void describe_lists_every_endpoint_with_its_last_check() {
        start(fastChecks());
        one.status(503);
        Endpoint e1 = endpointOf(cluster, one);
        await().atMost(WAIT).until(() -> !e1.healthy());
        List<EndpointStatus> statuses = cluster.describe();
        assertThat(statuses).extracting(EndpointStatus::id).containsExactly(one.address(), two.address());
        EndpointStatus down = statuses.get(0);
        assertThat(down.healthy()).isFalse();
        assertThat(down.lastCheck().passed()).isFalse();
        Map<String, Object> json = down.toMap();
        assertThat(json).containsEntry("id", one.address()).containsEntry("healthy", false).containsKey("lastCheck");
        assertThat((Map<String, Object>) json.get("lastCheck")).containsEntry("detail", "503").containsEntry("passed", false);
    }
}
