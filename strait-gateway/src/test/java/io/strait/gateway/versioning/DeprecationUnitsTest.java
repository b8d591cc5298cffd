package io.strait.gateway.versioning;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.strait.gateway.auth.Identity;
import io.strait.proxy.filter.RequestContext;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The header forms, the successor addresses and the bound on client labels, each on its own. */
class DeprecationUnitsTest {
    @Test
    void headerFormsAreExact() {
        assertThat(DeprecationHeaders.deprecation(Instant.parse("2026-01-01T00:00:00Z"))).isEqualTo("@1767225600");
        assertThat(DeprecationHeaders.deprecation(Instant.parse("1969-12-31T23:59:59Z"))).isEqualTo("@-1");
        // IMF-fixdate: a two-digit day, English names, GMT; sub-second parts dropped
        assertThat(DeprecationHeaders.sunset(Instant.parse("2027-12-04T00:00:00.900Z"))).isEqualTo("Sat, 04 Dec 2027 00:00:00 GMT");
        assertThat(DeprecationHeaders.sunset(Instant.parse("2028-02-29T13:05:09Z"))).isEqualTo("Tue, 29 Feb 2028 13:05:09 GMT");
        assertThat(DeprecationHeaders.link("/api/v2/users", "successor-version")).isEqualTo("</api/v2/users>; rel=\"successor-version\"");
    }

    @Test
    void successorAddresses() {
        assertThat(SuccessorPaths.swapSegment("/api/v1/users/7", 1, "v1", "v2")).isEqualTo("/api/v2/users/7");
        assertThat(SuccessorPaths.swapSegment("/v1", 0, "v1", "v2")).isEqualTo("/v2");
        assertThat(SuccessorPaths.swapSegment("/api/users/7", 1, "v1", "v2")).as("a default's path without the segment")
                .isEqualTo("/api/v2/users/7");
        assertThat(SuccessorPaths.withParameter(null, "version", "v2")).isEqualTo("version=v2");
        assertThat(SuccessorPaths.withParameter("a=1&version=v1&b", "version", "v2")).isEqualTo("a=1&version=v2&b");
        assertThat(SuccessorPaths.withParameter("a=1", "version", "v2")).isEqualTo("a=1&version=v2");
    }

    @Test
    void clientLabelsAreBoundedPerVersion() {
        PrometheusRegistry registry = new PrometheusRegistry();
        DeprecatedCalls calls = new DeprecatedCalls();
        calls.register(registry);
        int clients = DeprecatedCalls.MAX_CLIENTS_PER_VERSION + 50;
        for (int i = 0; i < clients; i++) calls.count("users", "v1", caller("tenant-" + i, null, null));
        calls.count("users", "v1", caller("tenant-0", null, null));
        calls.count("users", "v1", caller(null, "key_1", "sub-1"));
        calls.count("users", "v1", caller(null, null, "sub-1"));
        calls.count("users", "v1", caller(null, null, null));
        calls.count("users", "v1", caller("x".repeat(200), null, null));
        calls.count("users", "v2", caller("tenant-149", null, null)); // another version has its own bound
        CounterSnapshot snap = (CounterSnapshot) registry.scrape().stream()
                .filter(m -> m.getMetadata().getName().equals("strait_api_deprecated_requests")).findFirst().orElseThrow();
        Map<String, Double> byClient = new java.util.HashMap<>();
        for (var p : snap.getDataPoints()) {
            if (p.getLabels().get("version").equals("v1")) byClient.put(p.getLabels().get("client"), p.getValue());
        }
        assertThat(byClient).hasSize(DeprecatedCalls.MAX_CLIENTS_PER_VERSION + 1);
        assertThat(byClient.get("tenant-0")).isEqualTo(2.0);
        assertThat(byClient.get(DeprecatedCalls.OTHER)).isEqualTo(50 + 4.0);
        assertThat(snap.getDataPoints().stream().filter(p -> p.getLabels().get("version").equals("v2"))
                .map(p -> p.getLabels().get("client"))).containsExactly("tenant-149");
        assertThat(DeprecatedCalls.client(caller(null, "key_1", "sub-1"))).isEqualTo("key_1");
        assertThat(DeprecatedCalls.client(caller(null, null, "sub-1"))).isEqualTo("sub-1");
        assertThat(DeprecatedCalls.client(caller(null, null, null))).isEqualTo(DeprecatedCalls.ANONYMOUS);
        assertThat(DeprecatedCalls.client(caller("x".repeat(200), null, null))).hasSize(64);
    }

    private static RequestContext caller(String tenant, String keyId, String subject) {
        RequestContext ctx = new RequestContext(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"),
                new InetSocketAddress("127.0.0.1", 1234), false, "http");
        if (tenant != null || keyId != null || subject != null) {
            ctx.attr(Identity.KEY).set(new Identity(keyId != null ? "apiKey" : "jwt:main", subject, tenant, Set.of(), keyId, Map.of()));
        }
        return ctx;
    }
}
