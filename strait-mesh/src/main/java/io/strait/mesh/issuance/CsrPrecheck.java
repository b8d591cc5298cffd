package io.strait.mesh.issuance;

import io.grpc.Status;
import io.strait.mesh.ca.CsrCheck;
import io.strait.mesh.ca.CsrRejectedException;
import io.strait.mesh.identity.SpiffeId;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Checks a CSR before anything is spent on it (a single-use join token above all): everything
 * {@link CsrCheck} checks that does not depend on who asks (it parses, its signature verifies with its
 * key, the key is strong), plus the names it asks for: none, or exactly one URI SAN that is a mesh
 * SPIFFE ID. Returns that ID, which the service then compares with the proven identity. The CA checks
 * the whole CSR again when it signs. CPU work (a signature check): run it off the gRPC thread.
 */
final class CsrPrecheck {
    /** The same PEM shape {@link CsrCheck} accepts. */
    private static final Pattern PEM = Pattern.compile("-----BEGIN (NEW )?CERTIFICATE REQUEST-----([A-Za-z0-9+/=\\s]*)-----END (NEW )?CERTIFICATE REQUEST-----");

    private CsrPrecheck() {}

    /** The SPIFFE ID the CSR asks for (empty: it asks for no name), once the CSR is sound; else a refusal. */
    static Optional<SpiffeId> check(byte[] csr, String trustDomain) throws Refusal {
        List<GeneralName> names = requestedNames(csr);
        SpiffeId asked = null;
        for (GeneralName n : names) {
            if (n.getTagNo() != GeneralName.uniformResourceIdentifier) {
                throw badCsr("the CSR asks for a name other than a SPIFFE ID; an SVID carries only the requester's SPIFFE ID");
            }
        }
        if (names.size() > 1) throw badCsr("the CSR asks for " + names.size() + " names; an SVID carries exactly one, the requester's SPIFFE ID");
        if (names.size() == 1) {
            try {
                asked = SpiffeId.parse(names.get(0).getName().toString());
            } catch (IllegalArgumentException e) {
                throw badCsr("the CSR asks for a URI that is not a mesh SPIFFE ID: " + e.getMessage());
            }
        }
        try {
            // with no name asked for, the identity given here is never compared and never shown
            CsrCheck.check(csr, asked != null ? asked : new SpiffeId(trustDomain, "csr-check", "csr-check"));
        } catch (CsrRejectedException e) {
            throw badCsr(e.getMessage());
        }
        return Optional.ofNullable(asked);
    }

    private static Refusal badCsr(String message) {
        return new Refusal(Status.Code.INVALID_ARGUMENT, IssuanceMetrics.Reason.BAD_CSR, message);
    }

    /** The subjectAltNames the CSR's extension request holds; none when it does not parse ({@link CsrCheck} then says why). */
    static List<GeneralName> requestedNames(byte[] input) {
        if (input == null || input.length == 0 || input.length > CsrCheck.MAX_CSR_BYTES) return List.of();
        List<GeneralName> out = new ArrayList<>();
        try {
            byte[] der = input;
            if (input[0] == '-') {
                Matcher m = PEM.matcher(new String(input, StandardCharsets.US_ASCII));
                if (!m.find()) return List.of();
                der = Base64.getMimeDecoder().decode(m.group(2));
            }
            PKCS10CertificationRequest csr = new PKCS10CertificationRequest(der);
            for (Attribute attr : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
                for (ASN1Encodable value : attr.getAttrValues()) {
                    GeneralNames sans = GeneralNames.fromExtensions(Extensions.getInstance(value), Extension.subjectAlternativeName);
                    if (sans != null) out.addAll(List.of(sans.getNames()));
                }
            }
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
        return out;
    }
}
