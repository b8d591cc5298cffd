package io.strait.mesh.identity;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The roots a trust domain's workloads accept, immutable. It holds one root normally and two during
 * a root rotation: (1) add the new root and let the bundle reach every workload, (2) issue from the
 * new root, (3) once every SVID of the old root has expired, drop the old one.
 */
public record TrustBundle(String trustDomain, List<X509Certificate> roots) {
    public TrustBundle {
        String bad = SpiffeId.checkTrustDomain(trustDomain);
        if (bad != null) throw new IllegalArgumentException(bad);
        roots = List.copyOf(roots);
        if (roots.isEmpty()) throw new IllegalArgumentException("a trust bundle needs at least one root");
        for (X509Certificate r : roots) {
            if (r.getBasicConstraints() < 0) {
                throw new IllegalArgumentException("the trust bundle's root " + r.getSubjectX500Principal().getName() + " is not a CA certificate");
            }
        }
    }

    public static TrustBundle of(String trustDomain, X509Certificate root) {
        return new TrustBundle(trustDomain, List.of(root));
    }

    /** This bundle with {@code root} added (step 1 of a rotation); the same bundle if it is already there. */
    public TrustBundle withRoot(X509Certificate root) {
        if (roots.contains(root)) return this;
        List<X509Certificate> more = new ArrayList<>(roots);
        more.add(root);
        return new TrustBundle(trustDomain, more);
    }

    /** This bundle without {@code root} (step 3 of a rotation); refuses to drop the last root. */
    public TrustBundle withoutRoot(X509Certificate root) {
        List<X509Certificate> fewer = new ArrayList<>(roots);
        fewer.remove(root);
        return new TrustBundle(trustDomain, fewer);
    }

    /** The earliest expiry among the roots. */
    public Instant earliestExpiry() {
        return roots.stream().map(r -> r.getNotAfter().toInstant()).min(Instant::compareTo).orElseThrow();
    }

    /** The roots as concatenated PEM blocks, the format workloads and {@code openssl -CAfile} read. */
    public String pem() {
        StringBuilder b = new StringBuilder();
        for (X509Certificate r : roots) b.append(pem(r));
        return b.toString();
    }

    /** One certificate as a PEM block. */
    public static String pem(X509Certificate cert) {
        try {
            return "-----BEGIN CERTIFICATE-----\n"
                    + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(cert.getEncoded())
                    + "\n-----END CERTIFICATE-----\n";
        } catch (CertificateEncodingException e) {
            throw new IllegalStateException("cannot encode a certificate", e);
        }
    }
}
