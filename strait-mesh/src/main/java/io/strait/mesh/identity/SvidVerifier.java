package io.strait.mesh.identity;

import java.security.GeneralSecurityException;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns a presented certificate chain (leaf first, as TLS presents it) into the {@link SpiffeId} it
 * proves, per the SPIFFE X509-SVID standard: the chain is valid against the trust bundle at the
 * clock's time, the leaf is not a CA, it has exactly one URI SAN, that URI is a SPIFFE ID of the
 * bundle's trust domain. The control plane uses it to authenticate an SVID renewal; the sidecar
 * will use it for peers. Pure CPU work, cheap enough for any thread (no I/O, no revocation fetch).
 */
public final class SvidVerifier {
    private static final String URI_SAN = "6"; // GeneralName uniformResourceIdentifier tag, as the JDK reports it
    private final Clock clock;

    public SvidVerifier(Clock clock) {
        this.clock = clock;
    }

    /** The identity {@code chain} proves under {@code bundle}; else an {@link SvidException} saying why. */
    public SpiffeId verify(List<X509Certificate> chain, TrustBundle bundle) throws SvidException {
        if (chain == null || chain.isEmpty()) throw new SvidException("no certificate presented");
        X509Certificate leaf = chain.get(0);
        if (leaf.getBasicConstraints() >= 0) throw new SvidException("the leaf certificate is a CA certificate, not an SVID");
        SpiffeId id = identity(leaf);
        if (!id.trustDomain().equals(bundle.trustDomain())) {
            throw new SvidException("the SVID " + id + " is of trust domain " + id.trustDomain() + ", not " + bundle.trustDomain());
        }
        Instant now = clock.instant();
        try {
            Set<TrustAnchor> anchors = new HashSet<>();
            for (X509Certificate r : bundle.roots()) anchors.add(new TrustAnchor(r, null));
            List<X509Certificate> path = new ArrayList<>(chain);
            // a chain may end with the root itself; PKIX wants the path without its anchor
            while (path.size() > 1 && bundle.roots().contains(path.get(path.size() - 1))) path.remove(path.size() - 1);
            CertPath cp = CertificateFactory.getInstance("X.509").generateCertPath(path);
            PKIXParameters params = new PKIXParameters(anchors);
            params.setRevocationEnabled(false);
            params.setDate(Date.from(now));
            CertPathValidator.getInstance("PKIX").validate(cp, params);
        } catch (CertPathValidatorException e) {
            String reason = e.getReason() == CertPathValidatorException.BasicReason.EXPIRED ? "a certificate of the chain has expired"
                    : e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID ? "a certificate of the chain is not yet valid"
                    : "the chain does not lead to a root of the trust bundle (" + e.getMessage() + ")";
            throw new SvidException("the SVID " + id + " is not valid: " + reason, e);
        } catch (GeneralSecurityException e) {
            throw new SvidException("the SVID " + id + " cannot be checked: " + e.getMessage(), e);
        }
        return id;
    }

    /** The SPIFFE ID in the certificate's one URI SAN; none or several is an error. */
    public static SpiffeId identity(X509Certificate cert) throws SvidException {
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new SvidException("the certificate's subjectAltName cannot be read", e);
        }
        List<String> uris = new ArrayList<>();
        if (sans != null) {
            for (List<?> san : sans) {
                if (String.valueOf(san.get(0)).equals(URI_SAN)) uris.add(String.valueOf(san.get(1)));
            }
        }
        if (uris.size() != 1) throw new SvidException("an SVID has exactly one URI SAN (this one has " + uris.size() + ")");
        try {
            return SpiffeId.parse(uris.get(0));
        } catch (IllegalArgumentException e) {
            throw new SvidException("the SVID's URI SAN is not a mesh SPIFFE ID: " + e.getMessage());
        }
    }
}
