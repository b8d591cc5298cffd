package io.strait.filters.headers;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The headers filter called directly: each verb, empty and unsafe values, claim rendering, query decoding. */
class HeadersFilterTest {
    private static ValueTemplate t(String s) {
        List<String> errors = new java.util.ArrayList<>();
        ValueTemplate v = ValueTemplate.parse(s, Set.of("id"), errors);
        assertThat(errors).isEmpty();
        return v;
    }

    private static RequestContext ctx(String query, Map<String, String> headers) {
        DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/x");
        headers.forEach(req.headers()::add);
        RequestContext c = new RequestContext(req, new InetSocketAddress("10.1.2.3", 5000), false, "HTTP/1.1");
        c.query(query);
        c.routeName("r");
        c.requestId("rid");
        c.pathParams(Map.of("id", "7"));
        return c;
    }

    private static HeadersConfig.Side set(String name, String value) {
        return new HeadersConfig.Side(List.of(), Map.of(), Map.of(name, t(value)), Map.of(), Map.of());
    }

    @Test
    void aSetWhoseValueIsEmptyRemovesTheClientsCopy() {
        HeadersFilter f = new HeadersFilter(new HeadersConfig(set("X-User", "%claim.sub%"), HeadersConfig.Side.NONE));
        RequestContext c = ctx(null, Map.of("X-User", "forged"));
        assertThat(f.onRequest(c)).isSameAs(FilterResult.CONTINUE);
        assertThat(c.headers().contains("X-User")).isFalse();
        RequestContext signed = ctx(null, Map.of("X-User", "forged"));
        signed.claims(Map.of("sub", "alice"));
        f.onRequest(signed);
        assertThat(signed.headers().getAll("X-User")).containsExactly("alice");
    }

    @Test
    void aValueThatIsOneVariableAloneIsCheckedAsAnyOther() {
        ValueTemplate alone = t("%query.v%");
        assertThat(alone.render(ctx("v=ok", Map.of()))).isEqualTo("ok");
        assertThat(alone.render(ctx("v=", Map.of()))).isNull();                 // empty: no value
        assertThat(alone.render(ctx("other=1", Map.of()))).isNull();            // absent
        assertThat(alone.render(ctx("v=a%0d%0aX-Evil:1", Map.of()))).isNull();  // CR LF: never a header value
        assertThat(alone.renderText(ctx("v=a%0d%0ab", Map.of()))).isEqualTo("a\r\nb"); // text (a JSON value) may hold it
        assertThat(t("%route%").render(ctx(null, Map.of()))).isEqualTo("r");
        assertThat(t("%client_ip%").render(ctx(null, Map.of()))).isEqualTo("10.1.2.3");
    }

    @Test
    void aMissingVariableInsideTextLeavesTheRest() {
        HeadersFilter f = new HeadersFilter(new HeadersConfig(set("X-A", "p=%query.page%;r=%route%"), HeadersConfig.Side.NONE));
        RequestContext c = ctx("other=1", Map.of());
        f.onRequest(c);
        assertThat(c.headers().get("X-A")).isEqualTo("p=;r=r");
    }

    @Test
    void theResponseSideRenamesAndAppends() {
        HeadersConfig.Side res = new HeadersConfig.Side(List.of(), Map.of("Server", "X-Upstream-Server"),
                Map.of(), Map.of(), Map.of("X-Via", t("strait %request_id%")));
        HeadersFilter f = new HeadersFilter(new HeadersConfig(HeadersConfig.Side.NONE, res));
        HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        r.headers().add("Server", "nginx").add("X-Upstream-Server", "old").add("X-Via", "lb");
        f.onResponse(ctx(null, Map.of()), r);
        assertThat(r.headers().contains("Server")).isFalse();
        assertThat(r.headers().getAll("X-Upstream-Server")).containsExactly("nginx");
        assertThat(r.headers().getAll("X-Via")).containsExactly("lb", "strait rid");
    }

    @Test
    void claimsRenderAsText() {
        Map<String, Object> claims = Map.of("s", "x", "i", 42, "l", 1700000000L, "d", 1.7e9, "f", 2.5, "b", true,
                "big", new BigDecimal("12.50"), "list", List.of("a", 1, true), "obj", Map.of("k", "v"), "empty", List.of());
        assertThat(ValueTemplate.claim(claims, "s")).isEqualTo("x");
        assertThat(ValueTemplate.claim(claims, "i")).isEqualTo("42");
        assertThat(ValueTemplate.claim(claims, "l")).isEqualTo("1700000000");
        assertThat(ValueTemplate.claim(claims, "d")).isEqualTo("1700000000");
        assertThat(ValueTemplate.claim(claims, "f")).isEqualTo("2.5");
        assertThat(ValueTemplate.claim(claims, "b")).isEqualTo("true");
        assertThat(ValueTemplate.claim(claims, "big")).isEqualTo("12.5");
        assertThat(ValueTemplate.claim(claims, "list")).isEqualTo("a,1,true");
        assertThat(ValueTemplate.claim(claims, "obj")).isNull();
        assertThat(ValueTemplate.claim(claims, "empty")).isNull();
        assertThat(ValueTemplate.claim(claims, "absent")).isNull();
    }

    @Test
    void queryParametersAreFoundByNameAndDecoded() {
        assertThat(QueryParams.first("a=1&page=2&page=3", "page")).isEqualTo("2");
        assertThat(QueryParams.first("pages=1&page", "page")).isEqualTo("");
        assertThat(QueryParams.first("p%61ge=x%20y+z", "page")).isEqualTo("x y z");
        assertThat(QueryParams.first("page=%E2%9C%93", "page")).isEqualTo("\u2713");
        assertThat(QueryParams.first("page=100%", "page")).isEqualTo("100%");
        assertThat(QueryParams.first("", "page")).isNull();
        assertThat(QueryParams.first(null, "page")).isNull();
        // a decoded value beyond Latin-1 or with a control character is not sent
        RequestContext c = ctx("page=%E2%9C%93", Map.of());
        assertThat(t("%query.page%").render(c)).isNull();
        assertThat(t("%query.page%").render(ctx("page=a%09b", Map.of()))).isEqualTo("a\tb");
        assertThat(t("%client_ip% %path_param.id%").render(c)).isEqualTo("10.1.2.3 7");
    }
}
