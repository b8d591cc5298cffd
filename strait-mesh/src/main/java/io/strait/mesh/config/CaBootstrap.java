package io.strait.mesh.config;

import io.strait.config.tls.Pem;
import io.strait.config.tls.PemException;
import io.strait.mesh.ca.CaDirectory;
import io.strait.mesh.ca.CaException;
import io.strait.mesh.ca.CaMaterial;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.identity.TrustBundle;
import io.strait.mesh.store.ControlPlaneStore;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Builds the control plane's {@link CertificateAuthority} from its config: the user's PKI files, or
 * the root generated into (and reused from) {@code ca.dir}. Blocking (files, key generation): run it
 * at startup. Logs the CA certificates' expiry warnings once.
 */
public final class CaBootstrap {
    private CaBootstrap() {}

    /** The CA's signing material and the roots to trust, as read from the config's files. */
    public record Loaded(CaMaterial material, TrustBundle bundle) {}

    public static CertificateAuthority open(ControlPlaneConfig config, ControlPlaneStore store, Clock clock, Executor signer) throws CaException {
        Loaded loaded = load(config, clock, true);
        CertificateAuthority authority = new CertificateAuthority(loaded.material(), loaded.bundle(), config.svid().ttl(), store, clock,
                new SecureRandom(), signer);
        authority.expiryWarnings();
        return authority;
    }

    /**
     * Reads the CA's material and bundle: the user's PKI files, or the root in {@code ca.dir} (generated there
     * first when {@code generate} and the directory holds none; a running control plane reloads with
     * {@code generate} false, so that a rotation step caught half-way is refused, not replaced by a new root).
     */
    public static Loaded load(ControlPlaneConfig config, Clock clock, boolean generate) throws CaException {
        ControlPlaneConfig.CaConfig ca = config.ca();
        if (ca.fromFiles()) {
            CaMaterial material = CaMaterial.fromFiles(ca.certFile(), ca.keyFile(), ca.chainFile());
            TrustBundle bundle = TrustBundle.of(config.trustDomain(), material.root());
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
            return new Loaded(material, bundle);
        }
        CaDirectory dir = new CaDirectory(ca.dir(), config.trustDomain(), clock);
        CaMaterial material = generate ? dir.loadOrGenerate() : dir.load();
        return new Loaded(material, dir.bundle(material));
    }

    /** The files {@link #load} reads: a running control plane reloads when one of them changes. */
    public static List<Path> files(ControlPlaneConfig config, Clock clock) {
        ControlPlaneConfig.CaConfig ca = config.ca();
        if (!ca.fromFiles()) return new CaDirectory(ca.dir(), config.trustDomain(), clock).files();
        List<Path> files = new ArrayList<>(List.of(ca.certFile(), ca.keyFile()));
        if (ca.chainFile() != null) files.add(ca.chainFile());
        if (ca.bundleFile() != null) files.add(ca.bundleFile());
        return files;
    }
}
