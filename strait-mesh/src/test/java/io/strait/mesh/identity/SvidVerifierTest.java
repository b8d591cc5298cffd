package io.strait.mesh.identity;

import static io.strait.mesh.testing.TestPki.NOW;
import static io.strait.mesh.testing.TestPki.TD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.ca.IssuedSvid;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.TestPki;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The check behind SVID-authenticated renewal: chain to the bundle, time, one SPIFFE URI SAN. */
class SvidVerifierTest {
    static final SpiffeId ID = new SpiffeId(TD, "shop", "orders");
    static CaMaterial root;
    static CaMaterial otherRoot;

    @BeforeAll
    static void roots() throws Exception {
        root = TestPki.root(NOW, Duration.ofDays(365));
        otherRoot = TestPki.root(NOW, Duration.ofDays(365));
    }

    private static IssuedSvid issue(CaMaterial m) throws Exception {
        return TestPki.ca(m, Duration.ofHours(1), TestPki.clock(NOW)).sign(WorkloadKey.generate().csrDer(ID), ID);
    }

    private static SpiffeId verify(List<X509Certificate> chain, TrustBundle bundle, java.time.Instant at) throws SvidException {
        return new SvidVerifier(TestPki.clock(at)).verify(chain, bundle);
    }

    @Test
    void aValidSvidProvesItsIdentity() throws Exception {
        assertThat(verify(issue(root).chain(), TrustBundle.of(TD, root.root()), NOW.plusSeconds(60))).isEqualTo(ID);
    }

    @Test
    void anExpiredOrNotYetValidSvidIsRefused() throws Exception {
        IssuedSvid svid = issue(root);
        TrustBundle b = TrustBundle.of(TD, root.root());
        assertThatThrownBy(() -> verify(svid.chain(), b, svid.notAfter().plusSeconds(1))).isInstanceOf(SvidException.class)
                .hasMessageContaining("has expired");
        assertThatThrownBy(() -> verify(svid.chain(), b, svid.notBefore().minusSeconds(1))).hasMessageContaining("not yet valid");
    }

    @Test
    void anSvidFromAnotherCaIsRefused() throws Exception {
        assertThatThrownBy(() -> verify(issue(otherRoot).chain(), TrustBundle.of(TD, root.root()), NOW))
                .isInstanceOf(SvidException.class).hasMessageContaining("does not lead to a root of the trust bundle");
    }

    @Test
    void aBundleWithTwoRootsVerifiesSvidsOfBoth() throws Exception {
        TrustBundle both = TrustBundle.of(TD, root.root()).withRoot(otherRoot.root());
        assertThat(both.roots()).hasSize(2);
        assertThat(verify(issue(root).chain(), both, NOW)).isEqualTo(ID);
        assertThat(verify(issue(otherRoot).chain(), both, NOW)).isEqualTo(ID);
        // the PEM holds both, and the JDK reads both back
        java.util.Collection<java.security.cert.Certificate> parsed = (java.util.Collection<java.security.cert.Certificate>) CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(both.pem().getBytes(StandardCharsets.US_ASCII)));
        assertThat(new java.util.ArrayList<Object>(parsed)).containsExactly(root.root(), otherRoot.root());
        TrustBundle dropped = both.withoutRoot(root.root());
        assertThatThrownBy(() -> verify(issue(root).chain(), dropped, NOW)).isInstanceOf(SvidException.class);
        assertThatThrownBy(() -> dropped.withoutRoot(otherRoot.root())).hasMessage("a trust bundle needs at least one root");
    }

    @Test
    void aCertificateWithTwoUriSansOrNoneIsRefused() throws Exception {
        var key = TestPki.ec().getPublic();
        X509Certificate two = TestPki.handMadeLeaf(root, key, NOW.minusSeconds(60), NOW.plusSeconds(3600), ID.uri(), "spiffe://cluster.local/ns/x/sa/y");
        assertThatThrownBy(() -> verify(List.of(two), TrustBundle.of(TD, root.root()), NOW)).hasMessage("an SVID has exactly one URI SAN (this one has 2)");
        X509Certificate none = TestPki.handMadeLeaf(root, key, NOW.minusSeconds(60), NOW.plusSeconds(3600));
        assertThatThrownBy(() -> verify(List.of(none), TrustBundle.of(TD, root.root()), NOW)).hasMessage("an SVID has exactly one URI SAN (this one has 0)");
        X509Certificate notSpiffe = TestPki.handMadeLeaf(root, key, NOW.minusSeconds(60), NOW.plusSeconds(3600), "https://orders.example");
        assertThatThrownBy(() -> verify(List.of(notSpiffe), TrustBundle.of(TD, root.root()), NOW)).hasMessageContaining("not a mesh SPIFFE ID");
    }

    @Test
    void aCaCertificateOrAnotherTrustDomainIsNoSvid() throws Exception {
        assertThatThrownBy(() -> verify(List.of(root.root()), TrustBundle.of(TD, root.root()), NOW)).hasMessageContaining("is a CA certificate");
        X509Certificate foreign = TestPki.handMadeLeaf(root, TestPki.ec().getPublic(), NOW.minusSeconds(60), NOW.plusSeconds(3600),
                "spiffe://other.example/ns/shop/sa/orders");
        assertThatThrownBy(() -> verify(List.of(foreign), TrustBundle.of(TD, root.root()), NOW)).hasMessageContaining("not cluster.local");
        assertThatThrownBy(() -> verify(List.of(), TrustBundle.of(TD, root.root()), NOW)).hasMessage("no certificate presented");
        assertThat(CertificateAuthority.DEFAULT_SVID_TTL).isEqualTo(Duration.ofHours(24));
    }
}
