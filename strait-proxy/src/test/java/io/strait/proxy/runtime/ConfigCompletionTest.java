package io.strait.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import io.strait.proxy.tls.CertificateSources;
import java.nio.file.Files;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link ConfigCompletion}: what the process adds to every configuration (here, as a mesh gateway does, the endpoints an
 * endpoint source pushed) is in the one it starts with, in a reload of its file, and in {@link ProxyServer#refresh}
 * (endpoints in place without a new generation; anything else as a new one); a completion's refusal keeps the running one.
 */
class ConfigCompletionTest {
    private static final String FILE = """
            clusters:
              c: {endpoints: [{address: ${a}}]}
            routes:
              - {name: web, match: {pathPrefix: /}, cluster: c}
            """;
    TestBackend a;
    TestBackend b;
    ProxyFixture proxy;
    /** The endpoint source's latest push for cluster c (null: none, the file's stay). */
    final AtomicReference<List<EndpointConfig>> pushed = new AtomicReference<>();
    /** A setting the completion adds that is not an endpoint. */
    final AtomicReference<ClusterConfig.LoadBalancerKind> balancer = new AtomicReference<>();
    /** When set, the completion refuses with it. */
    final AtomicReference<String> refusal = new AtomicReference<>();

    private StraitConfig complete(StraitConfig next) {
        if (refusal.get() != null) throw new IllegalArgumentException(refusal.get());
        Map<String, ClusterConfig> clusters = new LinkedHashMap<>(next.clusters());
        ClusterConfig c = clusters.get("c");
        if (pushed.get() != null) c = c.withEndpoints(pushed.get());
        if (balancer.get() != null) {
            c = new ClusterConfig(c.name(), c.endpoints(), balancer.get(), c.hashOn(), c.zoneAware(), c.protocol(), c.pool(), c.healthCheck(),
                    c.dnsRefresh(), c.circuitBreaker(), c.outlierDetection(), c.tls(), c.mesh());
        }
        clusters.put("c", c);
        return next.withClusters(clusters);
    }

    @BeforeEach
    void start() throws Exception {
        a = new TestBackend("a");
        b = new TestBackend("b");
        pushed.set(List.of(endpoint(b)));
        proxy = ProxyFixture.start(FILE, Map.of("a", a.address()), FilterModule.NONE, Files.createTempDirectory("strait-test"),
                new CertificateSources(), this::complete);
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    private static EndpointConfig endpoint(TestBackend t) {
        return new EndpointConfig(HostPort.parse(t.address()), null, Map.of(), 1);
    }

    private String backend() {
        var r = proxy.get("/echo");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Json.parse(r.body()).get("backend").asText();
    }

    @Test
    void theStartAndEveryReloadAreCompletedAndARefreshReplacesEndpointsInPlace() throws Exception {
        assertThat(backend()).as("the pushed endpoint, not the file's").isEqualTo("b");

        pushed.set(List.of(endpoint(a)));
        ApplyResult r = proxy.server().refresh();
        assertThat(r.applied()).isTrue();
        assertThat(r.generation()).as("endpoints alone: no new generation").isEqualTo(1);
        assertThat(backend()).isEqualTo("a");

        pushed.set(List.of(endpoint(b)));
        proxy.server().refresh();
        ApplyResult reload = proxy.server().applyDocument(Files.readString(proxy.dir().resolve("strait.yaml")).replace("cluster: c}",
                "cluster: c, timeout: 3s}"), io.strait.proxy.core.ConfigFormat.YAML, "test");
        assertThat(reload.applied()).as("%s", reload.errors()).isTrue();
        assertThat(reload.running().routes().getFirst().timeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(backend()).as("a reload of a file naming a keeps the pushed b").isEqualTo("b");

        balancer.set(ClusterConfig.LoadBalancerKind.RANDOM);
        ApplyResult changed = proxy.server().refresh();
        assertThat(changed.applied()).isTrue();
        assertThat(changed.generation()).as("more than endpoints: a new generation").isEqualTo(reload.generation() + 1);
        assertThat(proxy.server().snapshot().config().clusters().get("c").loadBalancer()).isEqualTo(ClusterConfig.LoadBalancerKind.RANDOM);
        assertThat(backend()).isEqualTo("b");
    }

    @Test
    void aCompletionsRefusalKeepsTheRunningConfiguration() {
        StraitConfig running = proxy.server().snapshot().config();
        refusal.set("mesh: changed");
        ApplyResult r = proxy.server().reload();
        assertThat(r.applied()).isFalse();
        assertThat(r.errors()).containsExactly("mesh: changed");
        assertThat(proxy.server().refresh().errors()).containsExactly("mesh: changed");
        assertThat(proxy.server().snapshot().config()).isSameAs(running);
        assertThat(backend()).isEqualTo("b");
    }

    @Test
    void endpointsOnlyTellsEndpointChangesFromOthers() {
        StraitConfig running = proxy.server().snapshot().config();
        ClusterConfig c = running.clusters().get("c");
        assertThat(ConfigCompletion.endpointsOnly(running, running)).isEmpty();
        assertThat(ConfigCompletion.endpointsOnly(running, running.withClusters(Map.of("c", c.withEndpoints(List.of(endpoint(a)))))))
                .containsExactly(Map.entry("c", List.of(endpoint(a))));
        assertThat(ConfigCompletion.endpointsOnly(running, running.withClusters(Map.of("c", c.withTls(null).withEndpoints(List.of())
                .withTls(new io.strait.config.model.UpstreamTlsConfig(null, null, null, null, List.of(), "TLSv1.3", Duration.ofSeconds(1)))))))
                .isNull();
        assertThat(ConfigCompletion.endpointsOnly(running, running.withClusters(Map.of()))).isNull();
    }
}
