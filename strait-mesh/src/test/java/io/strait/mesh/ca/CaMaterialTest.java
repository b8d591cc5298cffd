package io.strait.mesh.ca;

import static io.strait.mesh.testing.TestPki.NOW;
import static io.strait.mesh.testing.TestPki.TD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidException;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.testing.TestPki;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CA's root or intermediate: from a user's PEM files, or generated into {@code ca.dir}; and a root rotation. */
class CaMaterialTest {
    static final SpiffeId ID = new SpiffeId(TD, "shop", "orders");

    @TempDir
    Path dir;

    @Test
    void aGeneratedRootIsPersistedOwnerOnlyAndReused() throws Exception {
        CaDirectory ca = new CaDirectory(dir.resolve("ca"), TD, TestPki.clock(NOW));
        CaMaterial first = ca.loadOrGenerate();
        Path key = dir.resolve("ca/root.key");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("ca")))).isEqualTo("rwx------");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        X509Certificate root = first.root();
        assertThat(root).isEqualTo(first.certificate());
        assertThat(root.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();
        assertThat(root.getPublicKey().getAlgorithm()).isEqualTo("EC");
        assertThat(root.getSubjectAlternativeNames()).containsExactly(List.of(6, "spiffe://cluster.local"));
        assertThat(root.getNotAfter().toInstant()).isEqualTo(NOW.plus(CaDirectory.GENERATED_ROOT_LIFETIME));
        assertThat(first.chainAboveLeaf()).isEmpty();
        // a restart reads the same root
        CaMaterial again = new CaDirectory(dir.resolve("ca"), TD, TestPki.clock(NOW.plusSeconds(3600))).loadOrGenerate();
        assertThat(again.root()).isEqualTo(root);
        assertThat(again.key().getEncoded()).isEqualTo(first.key().getEncoded());
        // a half-present root is an error, not a silent new root
        Files.delete(key);
        assertThatThrownBy(ca::loadOrGenerate).isInstanceOf(CaException.class).hasMessageContaining("holds root.pem without root.key");
    }

    @Test
    void aRootFromFilesSignsLikeAGeneratedOne() throws Exception {
        CaMaterial made = TestPki.root(NOW, Duration.ofDays(365));
        Path cert = write("root.pem", made.root());
        Path key = writeKey("root.key", made.key());
        CaMaterial fromFiles = CaMaterial.fromFiles(cert, key, null);
        assertThat(fromFiles.root()).isEqualTo(made.root());
        IssuedSvid svid = TestPki.ca(fromFiles, Duration.ofHours(1), TestPki.clock(NOW)).sign(WorkloadKey.generate().csrDer(ID), ID);
        assertThat(new SvidVerifier(TestPki.clock(NOW)).verify(svid.chain(), TrustBundle.of(TD, made.root()))).isEqualTo(ID);
    }

    @Test
    void anIntermediateFromFilesPutsItselfInTheSvidsChain() throws Exception {
        CaMaterial rootCa = TestPki.root(NOW, Duration.ofDays(365));
        KeyPair ik = TestPki.ec();
        X509Certificate inter = TestPki.intermediate("CN=Strait intermediate", ik.getPublic(), rootCa.root(), rootCa.key(), NOW);
        CaMaterial m = CaMaterial.fromFiles(write("inter.pem", inter), writeKey("inter.key", ik.getPrivate()), write("chain.pem", rootCa.root()));
        assertThat(m.root()).isEqualTo(rootCa.root());
        assertThat(m.certificate()).isEqualTo(inter);
        IssuedSvid svid = TestPki.ca(m, Duration.ofHours(1), TestPki.clock(NOW)).sign(WorkloadKey.generate().csrDer(ID), ID);
        assertThat(svid.chain()).hasSize(2).element(1).isEqualTo(inter);
        assertThat(new SvidVerifier(TestPki.clock(NOW)).verify(svid.chain(), TrustBundle.of(TD, rootCa.root()))).isEqualTo(ID);
        assertThat(TestPki.ca(m, Duration.ofHours(1), TestPki.clock(NOW)).status().certificates())
                .extracting(CaStatus.CertExpiry::role).containsExactly("signing", "root");
        // without its chain, an intermediate cannot name the root of the bundle
        assertThatThrownBy(() -> CaMaterial.fromFiles(dir.resolve("inter.pem"), dir.resolve("inter.key"), null))
                .isInstanceOf(CaException.class).hasMessageStartingWith("ca.chainFile (absent): the chain of the intermediate");
    }

    @Test
    void badFilesAreNamedByTheirField() throws Exception {
        CaMaterial a = TestPki.root(NOW, Duration.ofDays(365));
        CaMaterial b = TestPki.root(NOW, Duration.ofDays(365));
        Path cert = write("a.pem", a.root());
        assertThatThrownBy(() -> CaMaterial.fromFiles(cert, writeKey("b.key", b.key()), null))
                .hasMessageStartingWith("ca.keyFile: the key in").hasMessageContaining("is not the key of the certificate");
        assertThatThrownBy(() -> CaMaterial.fromFiles(dir.resolve("missing.pem"), dir.resolve("b.key"), null))
                .hasMessageEndingWith("missing.pem: no such file").hasMessageStartingWith("ca.certFile: cannot read");
        KeyPair leafKey = TestPki.ec();
        X509Certificate leaf = TestPki.handMadeLeaf(a, leafKey.getPublic(), NOW, NOW.plusSeconds(3600), ID.uri());
        assertThatThrownBy(() -> CaMaterial.fromFiles(write("leaf.pem", leaf), writeKey("leaf.key", leafKey.getPrivate()), null))
                .hasMessageContaining("is not a CA certificate");
        assertThatThrownBy(() -> CaMaterial.fromFiles(cert, writeKey("a.key", a.key()), write("wrong-chain.pem", b.root())))
                .isInstanceOf(CaException.class).hasMessageStartingWith("ca.chainFile: ").hasMessageContaining("comes after the root");
        KeyPair ik = TestPki.ec();
        X509Certificate inter = TestPki.intermediate("CN=i", ik.getPublic(), a.root(), a.key(), NOW);
        assertThatThrownBy(() -> CaMaterial.fromFiles(write("i.pem", inter), writeKey("i.key", ik.getPrivate()), write("b-chain.pem", b.root())))
                .hasMessageStartingWith("ca.chainFile: ").hasMessageContaining("did not sign CN=i");
    }

    @Test
    void aRootRotationKeepsEverySvidValidAtEachStep() throws Exception {
        CaDirectory ca = new CaDirectory(dir.resolve("ca"), TD, TestPki.clock(NOW));
        CaMaterial old = ca.loadOrGenerate();
        IssuedSvid fromOld = issue(old, ca.bundle(old));

        ca.addNextRoot(); // step 1: trusted, not yet signing
        CaMaterial still = ca.loadOrGenerate();
        TrustBundle two = ca.bundle(still);
        assertThat(still.root()).isEqualTo(old.root());
        assertThat(two.roots()).hasSize(2).first().isEqualTo(old.root());

        ca.promoteNextRoot(); // step 2: the new root signs
        CaMaterial fresh = ca.loadOrGenerate();
        TrustBundle afterPromote = ca.bundle(fresh);
        assertThat(fresh.root()).isNotEqualTo(old.root()).isEqualTo(two.roots().get(1));
        assertThat(afterPromote.roots()).containsExactlyInAnyOrder(old.root(), fresh.root());
        IssuedSvid fromNew = issue(fresh, afterPromote);
        assertThat(verify(fromOld, afterPromote)).isEqualTo(ID);
        assertThat(verify(fromNew, afterPromote)).isEqualTo(ID);
        assertThat(verify(fromNew, two)).as("a workload with the step-1 bundle trusts the new SVIDs").isEqualTo(ID);
        assertThat(Files.exists(dir.resolve("ca/next-root.key"))).isFalse();

        ca.dropPreviousRoot(); // step 3
        TrustBundle one = ca.bundle(ca.loadOrGenerate());
        assertThat(one.roots()).containsExactly(fresh.root());
        assertThatThrownBy(() -> verify(fromOld, one)).isInstanceOf(SvidException.class);
        assertThat(verify(fromNew, one)).isEqualTo(ID);
    }

    private static IssuedSvid issue(CaMaterial m, TrustBundle b) throws Exception {
        CertificateAuthority ca = TestPki.ca(m, Duration.ofHours(1), TestPki.clock(NOW));
        ca.use(m, b);
        return ca.sign(WorkloadKey.generate().csrDer(ID), ID);
    }

    private static SpiffeId verify(IssuedSvid svid, TrustBundle b) throws SvidException {
        return new SvidVerifier(TestPki.clock(NOW)).verify(svid.chain(), b);
    }

    private Path write(String name, X509Certificate c) throws Exception {
        Path p = dir.resolve(name);
        Files.writeString(p, TrustBundle.pem(c));
        return p;
    }

    private Path writeKey(String name, PrivateKey k) throws Exception {
        StringWriter s = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(s)) {
            w.writeObject(new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null));
        }
        Path p = dir.resolve(name);
        Files.writeString(p, s.toString());
        return p;
    }
}
