package io.strait.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** Which address counts as the client's behind trusted balancers (what per-client rate limits key on). */
class ForwardedClientIpTest {
    private static RequestContext through(int hops, String... xff) {
        DefaultHttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        for (String v : xff) r.headers().add("X-Forwarded-For", v);
        RequestContext ctx = new RequestContext(r, new InetSocketAddress("10.0.0.1", 4000), false, "HTTP/1.1");
        new ForwardedHeadersFilter(hops).onRequest(ctx);
        return ctx;
    }

    @Test
    void atTheEdgeThePeerIsTheClientWhateverTheHeaderSays() {
        assertThat(through(0, "203.0.113.7").forwardedClientIp()).isEqualTo("10.0.0.1");
        assertThat(through(0).forwardedClientIp()).isEqualTo("10.0.0.1");
    }

    @Test
    void behindOneBalancerTheLastEntryItAppendedIsTheClient() {
        assertThat(through(1, "198.51.100.1, 203.0.113.7").forwardedClientIp()).isEqualTo("203.0.113.7");
        assertThat(through(1, "198.51.100.1", "203.0.113.7").forwardedClientIp()).isEqualTo("203.0.113.7");
        assertThat(through(2, "198.51.100.1, 203.0.113.7, 192.0.2.5").forwardedClientIp()).isEqualTo("203.0.113.7");
        assertThat(through(1, "2001:db8::1").forwardedClientIp()).isEqualTo("2001:db8::1");
    }

    @Test
    void aShortChainOrAnEntryThatIsNoAddressFallsBackToThePeer() {
        assertThat(through(2, "203.0.113.7").forwardedClientIp()).isEqualTo("10.0.0.1");
        assertThat(through(1).forwardedClientIp()).isEqualTo("10.0.0.1");
        assertThat(through(1, "evil-name").forwardedClientIp()).isEqualTo("10.0.0.1");
        assertThat(through(1, "1.2.3.4.5").forwardedClientIp()).isEqualTo("10.0.0.1");
        assertThat(through(1, "1234.2.3.4").forwardedClientIp()).isEqualTo("10.0.0.1");
        assertThat(through(1, "1.2.3.4, ").forwardedClientIp()).isEqualTo("10.0.0.1");
    }
}
