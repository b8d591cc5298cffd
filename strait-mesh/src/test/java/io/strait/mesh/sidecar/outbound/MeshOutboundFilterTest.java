package io.strait.mesh.sidecar.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The outbound listeners' answers before routing, by the Host the app sent or the local port's service. */
class MeshOutboundFilterTest {
    static final MeshOutboundConfig CONFIG = new MeshOutboundConfig(Map.of("orders", "orders.shop", "orders.shop", "orders.shop",
            "users.accounts", "users.accounts"), Set.of("users.accounts"), null);

    static FilterResult run(MeshOutboundConfig c, String host) {
        DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        if (host != null) req.headers().set("Host", host);
        return new MeshOutboundFilter(c).onRequest(new RequestContext(req, null, false, "HTTP/1.1"));
    }

    @Test
    void knownServicesWithEndpointsGoOnWhateverThePortOrCase() {
        for (String host : new String[] {"orders", "ORDERS:8080", "orders.shop.", "orders.shop:80"}) {
            assertThat(run(CONFIG, host)).as(host).isSameAs(FilterResult.CONTINUE);
        }
    }

    @Test
    void unknownNamesAndServicesWithoutEndpointsSaySo() {
        FilterResult.Respond unknown = (FilterResult.Respond) run(CONFIG, "payments:8080");
        assertThat(unknown.status().code()).isEqualTo(404);
        assertThat(unknown.message()).startsWith("no mesh service 'payments': call a service as NAME");
        assertThat(((FilterResult.Respond) run(CONFIG, null)).message()).startsWith("no Host header");
        FilterResult.Respond empty = (FilterResult.Respond) run(CONFIG, "users.accounts");
        assertThat(empty.status().code()).isEqualTo(503);
        assertThat(empty.error()).isEqualTo("no_healthy_upstream");
        assertThat(empty.message()).isEqualTo("service users.accounts has no endpoints in the mesh");
    }

    @Test
    void aLocalPortLooksAtItsServiceNotTheHost() {
        MeshOutboundConfig port = new MeshOutboundConfig(CONFIG.hosts(), CONFIG.empty(), "orders.shop");
        assertThat(run(port, "anything")).isSameAs(FilterResult.CONTINUE);
        assertThat(((FilterResult.Respond) run(new MeshOutboundConfig(CONFIG.hosts(), CONFIG.empty(), "ghost"), "orders")).status().code())
                .isEqualTo(404);
    }

    @Test
    void hostsLoseTheirPortAndTrailingDot() {
        assertThat(MeshOutboundFilter.hostOf("[::1]:15001")).isEqualTo("[::1]");
        assertThat(MeshOutboundFilter.hostOf("Orders.Shop.:80")).isEqualTo("orders.shop");
        assertThat(MeshOutboundFilter.hostOf("")).isNull();
    }
}
