package io.strait.proxy.filter;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** The headers a filter decides on the request for the upstream's response ({@link RequestContext#setResponseHeader}). */
class FilterResponseHeadersTest {
    private static final AsciiString LIMIT = AsciiString.cached("X-Limit");

    private static RequestContext context() {
        return new RequestContext(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"),
                new InetSocketAddress("10.0.0.1", 4000), false, "HTTP/1.1");
    }

    @Test
    void theFiltersValuesReplaceTheUpstreamsAndOthersAreKept() {
        RequestContext ctx = context();
        ctx.setResponseHeader(LIMIT, "5");
        ctx.setResponseHeader(AsciiString.cached("X-Left"), AsciiString.of("4"));
        HttpHeaders upstream = new DefaultHttpHeaders().add("x-limit", "999").add("x-limit", "998").add("Server", "up");
        ctx.applyResponseHeaders(upstream);
        assertThat(upstream.getAll("X-Limit")).containsExactly("5");
        assertThat(upstream.get("X-Left")).isEqualTo("4");
        assertThat(upstream.get("Server")).isEqualTo("up");
    }

    @Test
    void withoutAnyTheResponseIsUntouchedAndTheLastValueOfANameWins() {
        HttpHeaders upstream = new DefaultHttpHeaders().add("X-Limit", "999");
        context().applyResponseHeaders(upstream);
        assertThat(upstream.getAll("X-Limit")).containsExactly("999");

        RequestContext ctx = context();
        ctx.setResponseHeader(LIMIT, "1");
        ctx.setResponseHeader(LIMIT, "2");
        ctx.applyResponseHeaders(upstream);
        assertThat(upstream.getAll("X-Limit")).containsExactly("2");
    }

    @Test
    void manyHeadersAllArrive() {
        RequestContext ctx = context();
        for (int i = 0; i < 20; i++) ctx.setResponseHeader(AsciiString.cached("X-H" + i), Integer.toString(i));
        HttpHeaders h = new DefaultHttpHeaders();
        ctx.applyResponseHeaders(h);
        assertThat(h.size()).isEqualTo(20);
        for (int i = 0; i < 20; i++) assertThat(h.get("X-H" + i)).isEqualTo(Integer.toString(i));
    }
}
