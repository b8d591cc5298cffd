package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.DEFAULT_MESH_NAMESPACE;
import static io.strait.config.load.ConfigLoader.DEFAULT_MESH_SERVICE_ACCOUNT;
import static io.strait.config.load.ConfigLoader.DEFAULT_MESH_TRUST_DOMAIN;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.MeshConfig;
import java.nio.file.Path;

/**
 * Reads the top-level {@code mesh} section (the gateway's identity in the mesh, with the names of a sidecar's
 * {@code controlPlane} section) and a cluster's {@code mesh: {service, namespace}}. The trust bundle file is read and
 * must hold certificates; the join token file is read (its content, stripped, is the token) and never shown.
 */
final class MeshReader {
    private final TlsReader files;
    private final Path baseDir;

    MeshReader(TlsReader files, Path baseDir) {
        this.files = files;
        this.baseDir = baseDir;
    }

    /** The top-level section, or null when the file has none. */
    MeshConfig section(Node root) {
        Node n = root.object("mesh");
        if (n == null) return null;
        MeshConfig.ControlPlane cp = controlPlane(n);
        String namespace = n.string("namespace", DEFAULT_MESH_NAMESPACE);
        String account = n.string("serviceAccount", DEFAULT_MESH_SERVICE_ACCOUNT);
        n.finish();
        MeshConfig m = new MeshConfig(cp, namespace, account);
        int before = n.errors().size();
        if (cp != null) new MeshRules(new Check(n.errors())).section(n.path(), m); // the validator's rules, where the reader is
        return n.errors().size() == before ? m : null;
    }

    private MeshConfig.ControlPlane controlPlane(Node mesh) {
        Node n = mesh.object("controlPlane");
        if (n == null) {
            mesh.skip("controlPlane");
            if (!mesh.has("controlPlane")) {
                mesh.error("controlPlane", "is required: {address: HOST:PORT, trustBundleFile: FILE, joinTokenFile: FILE}");
            }
            return null;
        }
        String addressText = n.requiredString("address");
        HostPort address = addressText == null ? null : HostPort.parse(addressText);
        if (addressText != null && (address == null || address.port() == 0)) {
            n.error("address", "must be host:port, such as 127.0.0.1:15012 (was '" + addressText + "')");
            address = null;
        }
        String trustDomain = n.string("trustDomain", DEFAULT_MESH_TRUST_DOMAIN);
        Path bundle = files.path(n, "trustBundleFile");
        if (bundle != null) TlsReader.certs(n, "trustBundleFile", bundle);
        String token = n.string("joinToken", null);
        Path tokenFile = null;
        if (token != null && n.has("joinTokenFile")) {
            n.error("joinToken", "give either joinToken or joinTokenFile, not both");
            n.skip("joinTokenFile");
        } else if (token == null && !n.has("joinTokenFile")) {
            n.skip("joinTokenFile");
            n.error("joinTokenFile", "is required (or joinToken): the join token the first SVID is issued against");
        } else if (token != null && token.isBlank()) {
            n.error("joinToken", "must not be empty");
        } else if (token == null) {
            // read when the gateway joins (at start), not here: a join token is spent once used, and an operator who
            // deletes its file afterwards must still be able to reload the gateway's config
            tokenFile = files.path(n, "joinTokenFile");
        }
        n.finish();
        if (address == null || bundle == null || (token == null && tokenFile == null)) return null;
        return new MeshConfig.ControlPlane(address, trustDomain, bundle, token, tokenFile);
    }

    /**
     * A cluster's {@code mesh}, or null when it has none. Its namespace defaults to the top-level section's
     * ({@code section}, null when the file has none or it has errors; {@code sectionGiven}: whether the file has one).
     */
    static ClusterConfig.MeshService cluster(Node cluster, MeshConfig section, boolean sectionGiven) {
        Node n = cluster.object("mesh");
        if (n == null) return null;
        String service = n.requiredString("service");
        String namespace = n.string("namespace", section != null ? section.namespace() : DEFAULT_MESH_NAMESPACE);
        n.finish();
        ClusterConfig.MeshService s = new ClusterConfig.MeshService(service, namespace);
        if (!sectionGiven) cluster.error("mesh", MeshRules.NEEDS_SECTION);
        if (service != null) new MeshRules(new Check(n.errors())).service(n.path(), s); // the validator's rules, where the reader is
        return s;
    }
}
