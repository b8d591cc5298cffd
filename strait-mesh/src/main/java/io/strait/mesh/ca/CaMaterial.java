package io.strait.mesh.ca;

import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * What the CA signs with: its certificate and key, the intermediates above it (nearest first) and
 * the root they lead to. With a generated or self-signed root, the signer is the root and
 * {@code intermediates} is empty. An issued SVID's chain is the leaf, the signer when it is not the
 * root, then the intermediates: workloads hold the root in their trust bundle.
 */
public record CaMaterial(X509Certificate certificate, PrivateKey key, List<X509Certificate> intermediates, X509Certificate root) {
    public CaMaterial {
        intermediates = List.copyOf(intermediates);
    }

    /** The certificates an SVID's chain carries above the leaf. */
    public List<X509Certificate> chainAboveLeaf() {
        if (certificate.equals(root)) return List.of();
        List<X509Certificate> out = new ArrayList<>();
        out.add(certificate);
        out.addAll(intermediates);
        return out;
    }

    /**
     * A user's own PKI: the CA certificate ({@code ca.certFile}, a root or an intermediate allowed to
     * sign certificates), its key ({@code ca.keyFile}, PKCS#8, PKCS#1 or SEC1 PEM) and, for an
     * intermediate, the chain up to and including the root ({@code ca.chainFile}). Blocking file reads.
     */
    public static CaMaterial fromFiles(Path certFile, Path keyFile, Path chainFile) throws CaException {
        List<X509Certificate> certs = certificates("ca.certFile", certFile);
        X509Certificate cert = certs.get(0);
        requireCa("ca.certFile", cert);
        PrivateKey key;
        try {
            key = Pem.privateKey(Pem.read(keyFile));
        } catch (PemException e) {
            throw new CaException("ca.keyFile: cannot read " + keyFile + ": " + e.getMessage());
        }
        if (!Pem.matches(key, cert)) throw new CaException("ca.keyFile: the key in " + keyFile + " is not the key of the certificate in " + certFile);
        List<X509Certificate> above = new ArrayList<>(certs.subList(1, certs.size()));
        if (chainFile != null) above.addAll(certificates("ca.chainFile", chainFile));
        X509Certificate child = cert;
        List<X509Certificate> intermediates = new ArrayList<>();
        X509Certificate root = selfSigned(cert) ? cert : null;
        for (X509Certificate c : above) {
            if (root != null) {
                throw new CaException((chainFile != null ? "ca.chainFile" : "ca.certFile") + ": " + c.getSubjectX500Principal().getName()
                        + " comes after the root " + root.getSubjectX500Principal().getName() + "; the chain ends with the root");
            }
            if (!c.getSubjectX500Principal().equals(child.getIssuerX500Principal()) || !signs(c, child)) {
                throw new CaException((chainFile != null ? "ca.chainFile" : "ca.certFile") + ": " + c.getSubjectX500Principal().getName()
                        + " did not sign " + child.getSubjectX500Principal().getName() + "; list the chain from the CA's issuer up to the root");
            }
            requireCa(chainFile != null ? "ca.chainFile" : "ca.certFile", c);
            if (selfSigned(c)) root = c;
            else intermediates.add(c);
            child = c;
        }
        if (root == null) {
            throw new CaException((chainFile != null ? "ca.chainFile" : "ca.chainFile (absent)") + ": the chain of the intermediate "
                    + cert.getSubjectX500Principal().getName() + " must end with its root (a self-signed certificate) for the trust bundle");
        }
        return new CaMaterial(cert, key, intermediates, root);
    }

    private static List<X509Certificate> certificates(String field, Path file) throws CaException {
        try {
            List<X509Certificate> certs = Pem.certificates(Pem.read(file));
            if (certs.isEmpty()) throw new CaException(field + ": " + file + " holds no certificate");
            return certs;
        } catch (PemException e) {
            throw new CaException(field + ": cannot read " + file + ": " + e.getMessage());
        }
    }

    private static void requireCa(String field, X509Certificate c) throws CaException {
        if (c.getBasicConstraints() < 0) throw new CaException(field + ": " + c.getSubjectX500Principal().getName() + " is not a CA certificate (basicConstraints cA is not true)");
        boolean[] ku = c.getKeyUsage();
        if (ku != null && (ku.length <= 5 || !ku[5])) throw new CaException(field + ": " + c.getSubjectX500Principal().getName() + " may not sign certificates (keyUsage lacks keyCertSign)");
    }

    static boolean selfSigned(X509Certificate c) {
        return c.getSubjectX500Principal().equals(c.getIssuerX500Principal()) && signs(c, c);
    }

    private static boolean signs(X509Certificate issuer, X509Certificate child) {
        try {
            child.verify(issuer.getPublicKey());
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
