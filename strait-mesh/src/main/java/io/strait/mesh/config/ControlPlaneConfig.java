package io.strait.mesh.config;

import io.strait.mesh.authz.AuthzEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The control plane's configuration: the trust domain, the data directory (the file store and the generated CA live
 * there), the CA and SVID settings, and the mesh's policy files or directories ({@code policies}, read by
 * {@link io.strait.mesh.meshconfig.MeshConfigSource}) with their root namespace. Paths are absolute
 * (relative ones resolve against the config file's directory). Read by {@link ControlPlaneConfigReader}.
 */
public record ControlPlaneConfig(String trustDomain, Path dataDir, CaConfig ca, SvidConfig svid, List<Path> policies,
                                 String rootNamespace) {
    /** Istio's default trust domain, so that policies written for Istio name the same principals. */
    public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";
    /** Beside the working directory, as {@code .strait/demo.env} is: a local run needs no setup. */
    public static final String DEFAULT_DATA_DIR = ".strait/control-plane";
    /** The generated CA's directory inside the data directory. */
    public static final String DEFAULT_CA_SUBDIR = "ca";
    /** The file store's directory inside the data directory. */
    public static final String STORE_SUBDIR = "store";
    /** Istio's default root namespace: its AuthorizationPolicy and PeerAuthentication documents apply mesh-wide. */
    public static final String DEFAULT_ROOT_NAMESPACE = AuthzEngine.DEFAULT_ROOT_NAMESPACE;

    public ControlPlaneConfig {
        policies = List.copyOf(policies);
    }

    /** The identity part alone: no policy files, Istio's root namespace. */
    public ControlPlaneConfig(String trustDomain, Path dataDir, CaConfig ca, SvidConfig svid) {
        this(trustDomain, dataDir, ca, svid, List.of(), DEFAULT_ROOT_NAMESPACE);
    }

    /**
     * The CA's material: either a user's PKI ({@code certFile} and {@code keyFile}, with {@code chainFile}
     * for an intermediate, and {@code bundleFile} for extra roots to trust during a rotation of that PKI),
     * or a root generated into and kept in {@code dir}. Exactly one of the two.
     */
    public record CaConfig(Path certFile, Path keyFile, Path chainFile, Path bundleFile, Path dir) {
        public boolean fromFiles() {
            return certFile != null;
        }
    }

    /** The SVIDs' lifetime. */
    public record SvidConfig(Duration ttl) {}

    /** The file store's directory. */
    public Path storeDir() {
        return dataDir.resolve(STORE_SUBDIR);
    }
}
