package io.strait.mesh.xfcc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.DefaultAttributeMap;
import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.sidecar.SidecarFilters;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.TestPki;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code xfcc} filter: Envoy's format, a client-sent header always removed, quoting, and its settings. */
class XfccFilterTest {
    static final String ME = "spiffe://cluster.local/ns/shop/sa/orders";
    static final String CALLER = "spiffe://cluster.local/ns/shop/sa/web";
    static X509Certificate caller;

    @BeforeAll
    static void certs() throws Exception {
        Instant now = Instant.now();
        CaMaterial root = TestPki.root(now, Duration.ofDays(1));
        caller = TestPki.handMadeLeaf(root, WorkloadKey.generate().publicKey(), now, now.plus(Duration.ofHours(1)), CALLER);
    }

    static RequestContext request(X509Certificate peer, String clientXfcc) {
        DefaultHttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/orders");
        if (clientXfcc != null) req.headers().add("X-Forwarded-Client-Cert", clientXfcc);
        RequestContext ctx = new RequestContext(req, null, peer != null, "HTTP/1.1");
        ctx.peerCertificate(peer);
        return ctx;
    }

    @Test
    void aVerifiedPeerIsSetInEnvoysFormatReplacingWhatTheClientSent() throws Exception {
        XfccFilter f = new XfccFilter(new XfccConfig(ME));
        RequestContext ctx = request(caller, "By=x;URI=spiffe://cluster.local/ns/ops/sa/admin");
        ctx.headers().add("X-Forwarded-Client-Cert", "second");
        assertThat(f.onRequest(ctx)).isSameAs(FilterResult.CONTINUE);
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(caller.getEncoded()));
        assertThat(ctx.headers().getAll("x-forwarded-client-cert")).containsExactly("By=" + ME + ";Hash=" + hash + ";URI=" + CALLER);
        // the same certificate again (the next request of the connection) gives the same value
        RequestContext again = request(caller, null);
        f.onRequest(again);
        assertThat(again.headers().get("x-forwarded-client-cert")).isEqualTo(ctx.headers().get("x-forwarded-client-cert"));
    }

    @Test
    void eachConnectionGetsItsOwnCertificatesValueWhileRequestsOfManyConnectionsInterleave() throws Exception {
        X509Certificate other = TestPki.handMadeLeaf(TestPki.root(Instant.now(), Duration.ofDays(1)), WorkloadKey.generate().publicKey(),
                Instant.now(), Instant.now().plus(Duration.ofHours(1)), "spiffe://cluster.local/ns/shop/sa/mobile");
        XfccFilter f = new XfccFilter(new XfccConfig(ME));
        DefaultAttributeMap webConnection = new DefaultAttributeMap();
        DefaultAttributeMap mobileConnection = new DefaultAttributeMap();
        for (int i = 0; i < 3; i++) {
            RequestContext web = request(caller, null);
            web.connection(webConnection);
            RequestContext mobile = request(other, "URI=" + CALLER);
            mobile.connection(mobileConnection);
            f.onRequest(web);
            f.onRequest(mobile);
            assertThat(web.headers().get("x-forwarded-client-cert")).endsWith(";URI=" + CALLER);
            assertThat(mobile.headers().get("x-forwarded-client-cert")).endsWith(";URI=spiffe://cluster.local/ns/shop/sa/mobile");
        }
        // made once per connection: the value sits on the connection
        assertThat(webConnection.hasAttr(io.netty.util.AttributeKey.valueOf("strait.mesh.xfcc"))).isTrue();
        // a later config naming this sidecar otherwise does not reuse the connection's old value
        RequestContext renamed = request(caller, null);
        renamed.connection(webConnection);
        new XfccFilter(new XfccConfig("spiffe://cluster.local/ns/shop/sa/orders-v2")).onRequest(renamed);
        assertThat(renamed.headers().get("x-forwarded-client-cert")).startsWith("By=spiffe://cluster.local/ns/shop/sa/orders-v2;");
    }

    @Test
    void aPlaintextCallerGetsNoHeaderAndLosesTheOneItSent() {
        RequestContext ctx = request(null, "URI=" + CALLER);
        new XfccFilter(new XfccConfig(ME)).onRequest(ctx);
        assertThat(ctx.headers().contains("x-forwarded-client-cert")).isFalse();
    }

    @Test
    void withoutByTheElementStartsWithHash() {
        RequestContext ctx = request(caller, null);
        new XfccFilter(new XfccConfig(null)).onRequest(ctx);
        assertThat(ctx.headers().get("x-forwarded-client-cert")).startsWith("Hash=").endsWith(";URI=" + CALLER);
    }

    @Test
    void valuesWithSeparatorsAreQuotedAsEnvoyDoes() {
        assertThat(XfccValue.quote(CALLER)).isEqualTo(CALLER);
        assertThat(XfccValue.quote("https://x.test/a;b=c,d")).isEqualTo("\"https://x.test/a;b=c,d\"");
        assertThat(XfccValue.quote("urn:\"q\"")).isEqualTo("\"urn:\\\"q\\\"\"");
    }

    static String config(String xfcc) {
        return """
                listeners: [{name: public, address: 127.0.0.1:0}]
                clusters: {a: {endpoints: [{address: 127.0.0.1:9}]}}
                routes:
                  - name: in
                    match: {pathPrefix: /}
                    cluster: a
                    filters:
                      - %s
                """.formatted(xfcc);
    }

    @Test
    void settingsAreReadWithTheirPaths() throws Exception {
        StraitConfig c = ConfigLoader.parse(config("xfcc: {by: " + ME + "}"), "s.yaml", Path.of("."), new SidecarFilters().catalog());
        assertThat(c.routes().get(0).filter("xfcc")).isEqualTo(new XfccConfig(ME));
        assertThat(ConfigLoader.parse(config("xfcc: {}"), "s.yaml", Path.of("."), new SidecarFilters().catalog())
                .routes().get(0).filter("xfcc")).isEqualTo(new XfccConfig(null));
        ConfigException e = catchThrowableOfType(ConfigException.class,
                () -> ConfigLoader.parse(config("xfcc: {by: orders, hash: true}"), "s.yaml", Path.of("."), new SidecarFilters().catalog()));
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "routes[0].filters[0].xfcc.hash: unknown field",
                "routes[0].filters[0].xfcc.by: " + XfccReader.BY_SYNTAX);
    }
}
