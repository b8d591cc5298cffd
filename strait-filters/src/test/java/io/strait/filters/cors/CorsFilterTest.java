package io.strait.filters.cors;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The cors filter called directly: preflight decisions, response headers, Vary merging. */
class CorsFilterTest {
    private static final CorsConfig APP = new CorsConfig(List.of("https://app.example.com", "http://localhost:*"),
            List.of("GET", "PUT"), List.of("X-Trace"), List.of(), true, Duration.ofSeconds(30));

    private static RequestContext ctx(HttpMethod method, Map<String, String> headers) {
        DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, "/x");
        headers.forEach(req.headers()::set);
        return new RequestContext(req, new InetSocketAddress("127.0.0.1", 5000), false, "HTTP/1.1");
    }

    private static HttpResponse ok(String... headers) {
        HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        for (int i = 0; i < headers.length; i += 2) res.headers().add(headers[i], headers[i + 1]);
        return res;
    }

    @Test
    void aPreflightIsAnsweredWith204AndItsOwnAnswerIsNotChangedOnTheWayOut() {
        CorsFilter f = new CorsFilter(APP);
        RequestContext c = ctx(HttpMethod.OPTIONS, Map.of("Origin", "http://localhost:3000", "Access-Control-Request-Method", "PUT",
                "Access-Control-Request-Headers", "x-trace"));
        FilterResult r = f.onRequest(c);
        assertThat(r).isInstanceOf(FilterResult.Respond.class);
        FilterResult.Respond answer = (FilterResult.Respond) r;
        assertThat(answer.status()).isEqualTo(HttpResponseStatus.NO_CONTENT);
        assertThat(answer.headers()).contains(Map.entry("access-control-allow-origin", "http://localhost:3000"),
                Map.entry("access-control-allow-credentials", "true"), Map.entry("access-control-allow-methods", "GET, PUT"),
                Map.entry("access-control-allow-headers", "x-trace"), Map.entry("access-control-max-age", "30"));
        HttpResponse local = ok();
        f.onResponse(c, local);
        assertThat(local.headers().isEmpty()).isTrue();
    }

    @Test
    void anOptionsWithoutARequestedMethodIsNotAPreflight() {
        CorsFilter f = new CorsFilter(APP);
        RequestContext c = ctx(HttpMethod.OPTIONS, Map.of("Origin", "https://app.example.com"));
        assertThat(f.onRequest(c)).isSameAs(FilterResult.CONTINUE);
        HttpResponse res = ok();
        f.onResponse(c, res);
        assertThat(res.headers().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    }

    @Test
    void theUpstreamsOwnCorsHeadersGiveWayToThePolicy() {
        CorsFilter f = new CorsFilter(APP);
        RequestContext evil = ctx(HttpMethod.GET, Map.of("Origin", "https://evil.test"));
        f.onRequest(evil);
        HttpResponse res = ok("Access-Control-Allow-Origin", "*", "Access-Control-Allow-Credentials", "true", "Vary", "Accept-Encoding");
        f.onResponse(evil, res);
        assertThat(res.headers().contains("Access-Control-Allow-Origin")).isFalse();
        assertThat(res.headers().contains("Access-Control-Allow-Credentials")).isFalse();
        assertThat(res.headers().getAll("Vary")).containsExactly("Accept-Encoding, Origin");
    }

    @Test
    void varyKeepsWhatIsThereAndAddsOriginOnce() {
        HttpHeaders h = ok("Vary", "Accept-Encoding", "Vary", "Cookie").headers();
        CorsFilter.addVaryOrigin(h);
        assertThat(h.getAll("Vary")).containsExactly("Accept-Encoding, Cookie, Origin");
        CorsFilter.addVaryOrigin(h);
        assertThat(h.getAll("Vary")).containsExactly("Accept-Encoding, Cookie, Origin");
        HttpHeaders star = ok("Vary", "*").headers();
        CorsFilter.addVaryOrigin(star);
        assertThat(star.getAll("Vary")).containsExactly("*");
        HttpHeaders lower = ok("Vary", "origin").headers();
        CorsFilter.addVaryOrigin(lower);
        assertThat(lower.getAll("Vary")).containsExactly("origin");
    }

    @Test
    void originsMatchExactlyIgnoringCaseAndPatternsByLabelsAndPorts() {
        OriginMatcher m = new OriginMatcher(List.of("https://App.Example.com", "https://*.example.org", "http://localhost:*",
                "https://*.api.test:8443", "regex:https://[a-z]+\\.regex\\.test"));
        assertThat(m.matches("https://app.example.com")).isTrue();
        assertThat(m.matches("https://APP.example.com")).isTrue();
        assertThat(m.matches("https://app.example.com:443")).isFalse();
        assertThat(m.matches("https://deep.sub.example.org")).isTrue();
        assertThat(m.matches("https://example.org")).isFalse();
        assertThat(m.matches("https://.example.org")).isFalse();
        assertThat(m.matches("http://localhost")).isTrue(); // ":*" is any port, the default one too;
        assertThat(m.matches("http://localhost:8080")).isTrue();
        assertThat(m.matches("http://localhost:notaport")).isFalse();
        assertThat(m.matches("https://a.api.test:8443")).isTrue();
        assertThat(m.matches("https://a.api.test")).isFalse();
        assertThat(m.matches("https://abc.regex.test")).isTrue();
        assertThat(m.matches("https://abc.regex.test.evil")).isFalse();
        assertThat(m.matches("null")).isFalse();
    }
}
