package io.strait.mesh.config;

import io.strait.config.model.HostPort;
import io.strait.mesh.authz.AuthzEngine;
import io.strait.mesh.registry.Registry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The control plane's configuration: the trust domain, the data directory (the file store and the generated CA live
 * there), the CA and SVID settings, the registry's timings, where it listens, and the mesh's policy files or
 * directories ({@code policies}, read by {@link io.strait.mesh.meshconfig.MeshConfigSource}) with their root
 * namespace. Paths are absolute (relative ones resolve against the config file's directory). Read by
 * {@link ControlPlaneConfigReader}.
 */
public record ControlPlaneConfig(String trustDomain, Path dataDir, CaConfig ca, SvidConfig svid, RegistryConfig registry,
                                 Listen listen, List<Path> policies, String rootNamespace, Injection injection,
                                 TelemetryConfig telemetry) {
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
        registry = registry == null ? RegistryConfig.DEFAULTS : registry;
        listen = listen == null ? Listen.DEFAULTS : listen;
        policies = policies == null ? List.of() : List.copyOf(policies);
        rootNamespace = rootNamespace == null ? DEFAULT_ROOT_NAMESPACE : rootNamespace;
        telemetry = telemetry == null ? TelemetryConfig.DEFAULTS : telemetry;
    }

    /** Without the injection webhook and the {@code telemetry} section: its defaults. */
    public ControlPlaneConfig(String trustDomain, Path dataDir, CaConfig ca, SvidConfig svid, RegistryConfig registry, Listen listen,
            List<Path> policies, String rootNamespace) {
        this(trustDomain, dataDir, ca, svid, registry, listen, policies, rootNamespace, null, TelemetryConfig.DEFAULTS);
    }

    /**
     * The sidecar injection webhook ({@code injection}, off when absent): where it listens over HTTPS, its certificate
     * and key (PEM; the MutatingWebhookConfiguration's caBundle trusts it), and what it injects.
     */
    public record Injection(HostPort address, Path certFile, Path keyFile, io.strait.mesh.inject.InjectSettings settings) {
        /** Istio's webhook port. */
        public static final HostPort DEFAULT_ADDRESS = new HostPort("0.0.0.0", 15017);
    }

    /** The identity part alone: the registry's default timings, the default addresses, no policy files. */
    public ControlPlaneConfig(String trustDomain, Path dataDir, CaConfig ca, SvidConfig svid) {
        this(trustDomain, dataDir, ca, svid, RegistryConfig.DEFAULTS, Listen.DEFAULTS, List.of(), DEFAULT_ROOT_NAMESPACE, null, TelemetryConfig.DEFAULTS);
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

    /** How often sidecars heartbeat, and how long a silent workload stays registered (see {@link Registry}). */
    public record RegistryConfig(Duration heartbeatInterval, Duration expiry) {
        public static final RegistryConfig DEFAULTS = new RegistryConfig(Registry.DEFAULT_HEARTBEAT_INTERVAL, Registry.DEFAULT_EXPIRY);
    }

    /**
     * Where it listens: {@code api.address} (the sidecars' mTLS gRPC API, Istio's 15012) and {@code admin.address}
     * (read-only status and metrics, Istio's monitoring port 15014, loopback by default).
     */
    public record Listen(HostPort api, HostPort admin) {
        public static final Listen DEFAULTS = new Listen(new HostPort("0.0.0.0", 15012), new HostPort("127.0.0.1", 15014));
    }

    /** How often sidecars report their inbound's calls for the service graph ({@code telemetry.reportInterval}). */
    public record TelemetryConfig(Duration reportInterval) {
        public static final TelemetryConfig DEFAULTS = new TelemetryConfig(io.strait.mesh.graph.TelemetryService.DEFAULT_REPORT_INTERVAL);
        /** A report a second at most: the graph's window is a minute of 5 s slots. */
        public static final Duration MIN_REPORT_INTERVAL = Duration.ofSeconds(1);
        /** A graph more than a minute behind would show nothing: the window is a minute. */
        public static final Duration MAX_REPORT_INTERVAL = Duration.ofSeconds(30);

        /** Why {@code interval} is not a report interval, or null. */
        public static String check(Duration interval) {
            if (interval.compareTo(MIN_REPORT_INTERVAL) < 0 || interval.compareTo(MAX_REPORT_INTERVAL) > 0) {
                return "must be between 1s and 30s (was " + interval.toMillis() + "ms)";
            }
            return null;
        }
    }

    /** The file store's directory. */
    public Path storeDir() {
        return dataDir.resolve(STORE_SUBDIR);
    }
}
