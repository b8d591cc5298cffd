package io.strait.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The control plane's way in: {@link ProxyServer#apply(StraitConfig)} with a model built by code (checked
 * like a file, every error with its path) and {@link ProxyServer#setEndpoints} replacing a cluster's endpoints.
 */
class ConfigFromCodeTest {
    TestBackend a;
    TestBackend b;
    ProxyFixture proxy;

    @BeforeEach
    void start() throws Exception {
        a = new TestBackend("a");
        b = new TestBackend("b");
        proxy = ProxyFixture.start("""
                clusters:
                  a: {endpoints: [{address: ${a}}]}
                routes:
                  - {name: web, match: {pathPrefix: /}, cluster: a}
                """, Map.of("a", a.address()));
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    @Test
    void aModelWithBrokenReferencesIsRefusedWithEveryPath() {
        StraitConfig running = proxy.server().snapshot().config();
        RouteConfig web = running.routes().get(0);
        RouteConfig lost = new RouteConfig("lost", web.match(), "b", null, web.timeout(), null);
        ListenerConfig l = running.listeners().get(0);
        ListenerConfig naming = new ListenerConfig(l.name(), l.address(), l.protocols(), l.maxRequestLineLength(),
                l.maxHeaderSize(), l.maxHeaderCount(), l.maxRequestBodySize(), l.requestHeadersTimeout(), l.requestTimeout(),
                l.idleTimeout(), l.xffTrustedHops(), l.paths(), l.tls(), l.redirectToHttps(), List.of("web", "lots"), List.of());
        StraitConfig next = new StraitConfig(running.admin(), List.of(naming), running.clusters(), List.of(web, lost),
                running.observability(), running.zone(), running.drainTimeout(), running.auth(), running.rateLimits());

        io.strait.proxy.core.ApplyResult r = proxy.server().apply(next);
        assertThat(r.applied()).isFalse();
        assertThat(r.errors()).containsExactly(
                "routes[1].cluster: unknown cluster 'b'",
                "listeners[0].routes[1]: unknown route 'lots' (did you mean 'lost'?)");
        assertThat(r.generation()).isEqualTo(1);
        assertThat(proxy.server().snapshot().config()).isSameAs(running);
    }

    /** Every field a reader would refuse in a document is refused in a model too, with the same path; nothing throws. */
    @Test
    void aModelWithBadFieldsIsRefusedWithEveryPathAndTheOldOneKeepsServing() {
        StraitConfig running = proxy.server().snapshot().config();
        RouteConfig web = running.routes().get(0);
        RouteConfig bad = new RouteConfig(web.name(), web.match(), web.cluster(), null, java.time.Duration.ofSeconds(-1), null,
                List.of(new io.strait.config.model.FilterSpec("corz", new io.strait.config.model.FilterConfig() {}, null)),
                new io.strait.config.model.RetryPolicy(0, java.util.Set.of(io.strait.config.model.RetryPolicy.RetryOn.RESET),
                        java.util.Set.of(), null, web.retries().backoffBase(), web.retries().backoffMax(), false, 20, 3),
                null, false, web.traffic());
        var a0 = running.clusters().get("a");
        var empty = new io.strait.config.model.ClusterConfig("a", List.of(), a0.loadBalancer(), a0.hashOn(), a0.zoneAware(),
                a0.protocol(), a0.pool(), a0.healthCheck(), a0.dnsRefresh());
        ListenerConfig l = running.listeners().get(0);
        ListenerConfig farPort = new ListenerConfig(l.name(), new HostPort("127.0.0.1", 70000), l.protocols(),
                l.maxRequestLineLength(), l.maxHeaderSize(), l.maxHeaderCount(), l.maxRequestBodySize(), l.requestHeadersTimeout(),
                l.requestTimeout(), l.idleTimeout(), l.xffTrustedHops(), l.paths());
        StraitConfig next = new StraitConfig(running.admin(), List.of(farPort), Map.of("a", empty), List.of(bad),
                running.observability(), running.zone(), running.drainTimeout(), running.auth(), running.rateLimits());

        io.strait.proxy.core.ApplyResult r = proxy.server().apply(next);
        assertThat(r.applied()).isFalse();
        assertThat(r.errors()).containsExactly(
                "listeners[0].address: must be host:port, such as 127.0.0.1:8080 or [::1]:8080 (was '127.0.0.1:70000')",
                "clusters.a.endpoints: must list at least one endpoint",
                "routes[0].timeout: must not be negative (was -1s)",
                "routes[0].retries.retryOn: has no effect with attempts: 0 (retries are off); leave it out",
                "routes[0].filters[0].corz: unknown filter 'corz' (this process knows auth, rateLimit)");
        assertThat(r.generation()).isEqualTo(1);
        assertThat(proxy.server().snapshot().config()).isSameAs(running);
        assertThat(proxy.get("/echo/still").statusCode()).isEqualTo(200);
    }

    @Test
    void aBadModelBuiltByCodeDoesNotStartAProcess() {
        StraitConfig running = proxy.server().snapshot().config();
        var a0 = running.clusters().get("a");
        var empty = new io.strait.config.model.ClusterConfig("a", List.of(), a0.loadBalancer(), a0.hashOn(), a0.zoneAware(),
                a0.protocol(), a0.pool(), a0.healthCheck(), a0.dnsRefresh());
        StraitConfig bad = new StraitConfig(running.admin(), running.listeners(), Map.of("a", empty), running.routes(),
                running.observability(), running.zone(), running.drainTimeout(), running.auth(), running.rateLimits());
        assertThatThrownBy(() -> ProxyServer.start(bad, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("clusters.a.endpoints: must list at least one endpoint");
    }

    @Test
    void aValidModelWithAFindingAppliesWithItsWarning() {
        StraitConfig running = proxy.server().snapshot().config();
        RouteConfig web = running.routes().get(0);
        RouteConfig twin = new RouteConfig("twin", web.match(), web.cluster(), null, web.timeout(), null);
        StraitConfig next = new StraitConfig(running.admin(), running.listeners(), running.clusters(), List.of(web, twin),
                running.observability(), running.zone(), running.drainTimeout(), running.auth(), running.rateLimits());
        io.strait.proxy.core.ApplyResult r = proxy.server().apply(next);
        assertThat(r.applied()).as(String.valueOf(r.errors())).isTrue();
        assertThat(r.warnings()).containsExactly("routes[1]: never matches: routes[0] ('web') comes first with the same hosts"
                + " and path and no other condition, so it takes every request this route would");
    }

    @Test
    void aValidModelAppliesAndEndpointsCanBePushedWithoutANewGeneration() {
        StraitConfig running = proxy.server().snapshot().config();
        Map<String, io.strait.config.model.ClusterConfig> clusters = new LinkedHashMap<>(running.clusters());
        StraitConfig same = new StraitConfig(running.admin(), running.listeners(), clusters, running.routes(),
                running.observability(), running.zone(), running.drainTimeout(), running.auth(), running.rateLimits());
        io.strait.proxy.core.ApplyResult r = proxy.server().apply(same);
        assertThat(r.applied()).as(String.valueOf(r.errors())).isTrue();
        assertThat(r.generation()).isEqualTo(2);

        proxy.server().setEndpoints("a", List.of(new EndpointConfig(HostPort.parse(b.address()), null, Map.of(), 1)));
        assertThat(proxy.server().snapshot().generation()).isEqualTo(2);
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            HttpResponse<String> res = proxy.get("/echo/" + i);
            assertThat(res.statusCode()).isEqualTo(200);
            seen.add(Json.parse(res.body()).get("backend").asText());
        }
        assertThat(seen).containsOnly("b");
        assertThatThrownBy(() -> proxy.server().setEndpoints("nope", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no cluster 'nope'");
    }
}
