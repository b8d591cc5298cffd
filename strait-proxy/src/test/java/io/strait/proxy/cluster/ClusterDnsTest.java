package io.strait.proxy.cluster;

import io.strait.proxy.testing.BackendExtension;
import io.strait.proxy.testing.EventLoops;
import io.strait.proxy.testing.TestBackend;
import static io.strait.proxy.cluster.ClusterFixtures.NO_REQUEST;
import static io.strait.proxy.cluster.ClusterFixtures.cluster;
import static io.strait.proxy.cluster.ClusterFixtures.fastChecks;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ClusterDnsTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    @RegisterExtension
    static final EventLoops LOOPS = new EventLoops();
    @RegisterExtension
    final BackendExtension backendExt = new BackendExtension("backend");
    private TestBackend backend;
    private Cluster cluster;

    @BeforeEach
    void backend() {
        backend = backendExt.backend();
    }

    @AfterEach
    void stop() {
        if (cluster != null) cluster.close();
    }

    @Test
    void localhost_resolves_from_the_hosts_file_to_an_ip_endpoint() {
        cluster = new Cluster(cluster("local", fastChecks(), "localhost:" + backend.port()), null, LOOPS.group(), null);
        assertThat(cluster.endpoints()).isEmpty();
        assertThat(cluster.select(NO_REQUEST)).isNull();
        cluster.start();
        cluster.whenResolved().orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(cluster.endpoints()).extracting(Endpoint::id).containsExactly("127.0.0.1:" + backend.port());
        Endpoint e = cluster.endpoints().getFirst();
        assertThat(e.hostname()).isEqualTo("localhost");
        assertThat(cluster.select(NO_REQUEST)).isSameAs(e);
        // checks name the endpoint by its DNS name
        await().atMost(WAIT).until(() -> backend.requestCount() >= 1);
        assertThat(backend.lastHost()).isEqualTo("localhost:" + backend.port());
    }

    @Test
    void refreshes_keep_the_same_endpoint_objects_and_their_state() {
        cluster = new Cluster(cluster("local", fastChecks(), "localhost:" + backend.port()), null, LOOPS.group(), null);
        cluster.start();
        cluster.whenResolved().orTimeout(5, TimeUnit.SECONDS).join();
        List<Endpoint> first = cluster.endpoints();
        backend.status(503);
        await().atMost(WAIT).until(() -> !first.getFirst().healthy());
        int before = backend.requestCount();
        // dnsRefresh is 200 ms in the fixtures: several refreshes later the list is the very same
        await().atMost(WAIT).until(() -> backend.requestCount() >= before + 8);
        assertThat(cluster.endpoints()).isSameAs(first);
        assertThat(first.getFirst().healthy()).isFalse();
    }

    @Test
    void a_name_and_a_literal_for_the_same_address_are_one_endpoint() {
        int port = backend.port();
        cluster = new Cluster(cluster("dup", null, "127.0.0.1:" + port, "localhost:" + port), null, LOOPS.group(), null);
        cluster.start();
        cluster.whenResolved().orTimeout(5, TimeUnit.SECONDS).join();
        assertThat(cluster.endpoints()).extracting(Endpoint::id).containsExactly("127.0.0.1:" + port);
    }

    @Test
    void a_reload_keeps_resolved_endpoints_until_the_next_answer() {
        int port = backend.port();
        cluster = new Cluster(cluster("local", fastChecks(), "localhost:" + port), null, LOOPS.group(), null);
        cluster.start();
        cluster.whenResolved().orTimeout(5, TimeUnit.SECONDS).join();
        backend.status(503);
        await().atMost(WAIT).until(() -> !cluster.endpoints().getFirst().healthy());
        Cluster reloaded = new Cluster(cluster("local", fastChecks(), "localhost:" + port), null, LOOPS.group(), cluster);
        try {
            assertThat(reloaded.endpoints()).extracting(Endpoint::id).containsExactly("127.0.0.1:" + port);
            assertThat(reloaded.endpoints().getFirst().hostname()).isEqualTo("localhost");
            assertThat(reloaded.endpoints().getFirst().healthy()).isFalse();
        } finally {
            reloaded.close();
        }
    }

    @Test
    void a_name_that_does_not_resolve_leaves_the_cluster_empty_without_failing() {
        cluster = new Cluster(cluster("nowhere", null, "no-such-host.invalid:80", "127.0.0.1:" + backend.port()), null, LOOPS.group(), null);
        cluster.start();
        cluster.whenResolved().orTimeout(30, TimeUnit.SECONDS).join();
        assertThat(cluster.endpoints()).extracting(Endpoint::id).containsExactly("127.0.0.1:" + backend.port());
        assertThat(cluster.select(NO_REQUEST).id()).isEqualTo("127.0.0.1:" + backend.port());
    }

    @Test
    void refreshes_follow_dns_answers_and_a_failing_server_keeps_the_last_good_list() throws Exception {
        try (FakeDnsServer dns = new FakeDnsServer(LOOPS.group())) {
            InetAddress ip1 = InetAddress.getByName("127.0.0.11");
            InetAddress ip2 = InetAddress.getByName("127.0.0.12");
            InetAddress ip3 = InetAddress.getByName("127.0.0.13");
            dns.answer = List.of(ip1);
            cluster = new Cluster(cluster("svc", null, "svc.strait.test:8080"), null, LOOPS.group(), null, dns.provider());
            cluster.start();
            cluster.whenResolved().orTimeout(5, TimeUnit.SECONDS).join();
            assertThat(cluster.endpoints()).extracting(Endpoint::id).containsExactly("127.0.0.11:8080");
            Endpoint kept = cluster.endpoints().getFirst();

            dns.answer = List.of(ip1, ip2, ip3);
            await().atMost(WAIT).until(() -> cluster.endpoints().size() == 3);
            assertThat(cluster.endpoints()).extracting(Endpoint::id)
                    .containsExactlyInAnyOrder("127.0.0.11:8080", "127.0.0.12:8080", "127.0.0.13:8080");
            assertThat(cluster.endpoints()).contains(kept);

            dns.answer = null;
            List<Endpoint> lastGood = cluster.endpoints();
            int before = dns.queries.get();
            await().atMost(WAIT).until(() -> dns.queries.get() >= before + 6);
            assertThat(cluster.endpoints()).isSameAs(lastGood);

            dns.answer = List.of(ip2);
            await().atMost(WAIT).until(() -> cluster.endpoints().size() == 1);
            assertThat(cluster.endpoints()).extracting(Endpoint::id).containsExactly("127.0.0.12:8080");
        }
    }

    @Test
    void resolved_addresses_prefer_ipv4() throws Exception {
        InetAddress v4 = InetAddress.getByName("127.0.0.1");
        InetAddress v6 = InetAddress.getByName("::1");
        assertThat(DnsDiscovery.preferIpv4(List.of(v6, v4))).containsExactly(v4);
        assertThat(DnsDiscovery.preferIpv4(List.of(v6))).containsExactly(v6);
    }
}
