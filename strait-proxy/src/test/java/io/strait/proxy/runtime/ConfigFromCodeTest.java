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
