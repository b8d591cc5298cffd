package io.strait.mesh.peerauth;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.TestPki;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code peerauth} filter holds a verified client certificate to the SVID rules; plaintext passes. */
class PeerAuthFilterTest {
    static CaMaterial root;
    static PublicKey key;
    static Instant now = Instant.now();
    final PeerAuthFilter filter = new PeerAuthFilter(new PeerAuthConfig("cluster.local"));

    @BeforeAll
    static void pki() throws Exception {
        root = TestPki.root(now, Duration.ofDays(1));
        key = WorkloadKey.generate().publicKey();
    }

    static X509Certificate leaf(String... uris) throws Exception {
        return TestPki.handMadeLeaf(root, key, now, now.plus(Duration.ofHours(1)), uris);
    }

    FilterResult run(X509Certificate cert) {
        RequestContext ctx = new RequestContext(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), null, true, "HTTP/1.1");
        ctx.peerCertificate(cert);
        return filter.onRequest(ctx);
    }

    @Test
    void theCallersSpiffeIdIsWhatTheAccessLogNames() throws Exception {
        RequestContext ctx = new RequestContext(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"), null, true, "HTTP/1.1");
        ctx.peerCertificate(leaf("spiffe://cluster.local/ns/shop/sa/web"));
        assertThat(filter.onRequest(ctx)).isSameAs(FilterResult.CONTINUE);
        assertThat(ctx.caller()).isEqualTo(new io.strait.proxy.observe.Caller(null, null, "spiffe://cluster.local/ns/shop/sa/web"));
    }

    @Test
    void anSvidOfTheTrustDomainAndAPlaintextCallerPass() throws Exception {
        assertThat(run(leaf("spiffe://cluster.local/ns/shop/sa/web"))).isSameAs(FilterResult.CONTINUE);
        assertThat(run(null)).isSameAs(FilterResult.CONTINUE);
    }

    @Test
    void certificatesThatAreNotSvidsOfTheTrustDomainAre403WithTheReason() throws Exception {
        Map<X509Certificate, String> cases = Map.of(
                leaf("spiffe://cluster.local/ns/shop/sa/web", "spiffe://cluster.local/ns/ops/sa/admin"), "exactly one URI SAN (this one has 2)",
                leaf(), "exactly one URI SAN (this one has 0)",
                leaf("spiffe://other.example/ns/shop/sa/web"), "is of trust domain other.example",
                leaf("https://cluster.local/ns/shop/sa/web"), "not a mesh SPIFFE ID",
                root.root(), "it is a CA certificate");
        cases.forEach((cert, reason) -> {
            FilterResult r = run(cert);
            assertThat(r).isInstanceOf(FilterResult.Respond.class);
            FilterResult.Respond respond = (FilterResult.Respond) r;
            assertThat(respond.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
            assertThat(respond.error()).isEqualTo("peer_not_svid");
            assertThat(respond.message()).contains(reason);
        });
    }

    @Test
    void modesPerPortOverrideTheWorkloadsMode() {
        PeerAuthentication p = new PeerAuthentication(PeerAuthMode.STRICT, Map.of(8080, PeerAuthMode.PERMISSIVE));
        assertThat(p.modeFor(8080)).isEqualTo(PeerAuthMode.PERMISSIVE);
        assertThat(p.modeFor(9090)).isEqualTo(PeerAuthMode.STRICT);
    }
}
