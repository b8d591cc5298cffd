package io.strait.mesh.config;

import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import io.strait.mesh.ca.CaDirectory;
import io.strait.mesh.ca.CaException;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.store.ControlPlaneStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.concurrent.Executor;

/**
 * Builds the control plane's {@link CertificateAuthority} from its config: the user's PKI files, or
 * the root generated into (and reused from) {@code ca.dir}. Blocking (files, key generation): run it
 * at startup. Logs the CA certificates' expiry warnings once.
 */
public final class CaBootstrap {
    private CaBootstrap() {}

    public static CertificateAuthority open(ControlPlaneConfig config, ControlPlaneStore store, Clock clock, Executor signer) throws CaException {
        ControlPlaneConfig.CaConfig ca = config.ca();
        CaMaterial material;
        TrustBundle bundle;
        if (ca.fromFiles()) {
            material = CaMaterial.fromFiles(ca.certFile(), ca.keyFile(), ca.chainFile());
            bundle = TrustBundle.of(config.trustDomain(), material.root());
            if (ca.bundleFile() != null) {
                try {
                    for (X509Certificate r : Pem.certificates(Pem.read(ca.bundleFile()))) {
                        if (r.getBasicConstraints() < 0) throw new CaException("ca.bundleFile: " + r.getSubjectX500Principal().getName() + " is not a CA certificate");
                        bundle = bundle.withRoot(r);
                    }
                } catch (PemException e) {
                    throw new CaException("ca.bundleFile: cannot read " + ca.bundleFile() + ": " + e.getMessage());
                }
            }
        } else {
            CaDirectory dir = new CaDirectory(ca.dir(), config.trustDomain(), clock);
            material = dir.loadOrGenerate();
            bundle = dir.bundle(material);
        }
        CertificateAuthority authority = new CertificateAuthority(material, bundle, config.svid().ttl(), store, clock, new SecureRandom(), signer);
        authority.expiryWarnings();
        return authority;
    }
}
