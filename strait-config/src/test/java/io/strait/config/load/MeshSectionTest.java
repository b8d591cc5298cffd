package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.MeshConfig;
import io.strait.config.model.StraitConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The top-level {@code mesh} section (a gateway's own identity in the mesh) and a cluster's {@code mesh}: what they
 * read into, their defaults, and every mistake as one error naming its path, from a file and from a model.
 */
class MeshSectionTest {
    private static final String TOKEN = "sjt_secret-join-token-0123456789abcdefghijklmnopq";
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Path certs = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("src/test/resources/admin-tls");
        Files.copy(certs.resolve("partners-ca.pem"), dir.resolve("bundle.pem"));
        Files.writeString(dir.resolve("gateway.token"), TOKEN + "\n");
        Files.writeString(dir.resolve("empty.token"), "\n");
    }

    private StraitConfig load(String yaml) {
        try {
            return ConfigLoader.parse(yaml, "gateway.yaml", dir);
        } catch (ConfigException e) {
            throw new AssertionError("expected a valid config, got:\n" + e.getMessage(), e);
        }
    }

    private List<String> errors(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse(yaml, "gateway.yaml", dir));
        assertThat(e).as("expected errors for:\n%s", yaml).isNotNull();
        return e.errors();
    }

    private static final String MESH = """
            mesh:
              controlPlane: {address: "127.0.0.1:15012", trustBundleFile: bundle.pem, joinTokenFile: gateway.token}
              serviceAccount: gateway
            """;
    private static final String ROUTE = "routes: [{name: orders, match: {pathPrefix: /}, cluster: orders}]\n";

    @Test
    void aMeshClusterNamesAServiceAndTakesTheSectionsNamespace() {
        StraitConfig c = load(MESH + "clusters:\n  orders:\n    mesh: {service: orders}\n  users:\n    mesh: {service: users, namespace: shop}\n"
                + "    protocol: h2\n" + ROUTE);
        assertThat(c.mesh()).isEqualTo(new MeshConfig(new MeshConfig.ControlPlane(new HostPort("127.0.0.1", 15012), "cluster.local",
                dir.resolve("bundle.pem").toAbsolutePath().normalize(), null, dir.resolve("gateway.token").toAbsolutePath().normalize()),
                "default", "gateway"));
        assertThat(c.mesh().spiffeId()).isEqualTo("spiffe://cluster.local/ns/default/sa/gateway");
        ClusterConfig orders = c.clusters().get("orders");
        assertThat(orders.mesh()).isEqualTo(new ClusterConfig.MeshService("orders", "default"));
        assertThat(orders.endpoints()).as("the control plane's, once pushed").isEmpty();
        assertThat(orders.tls()).as("the mesh's, set by the process").isNull();
        assertThat(c.clusters().get("users").mesh()).isEqualTo(new ClusterConfig.MeshService("users", "shop"));
        assertThat(c.clusters().get("users").protocol()).isEqualTo(ClusterConfig.UpstreamProtocol.H2);
    }

    @Test
    void theSectionsDefaultsAreTheSidecars() {
        StraitConfig c = load("""
                mesh:
                  controlPlane: {address: "cp.mesh:15012", trustBundleFile: bundle.pem, joinToken: "%s"}
                clusters: {c: {endpoints: [{address: "127.0.0.1:1"}]}}
                """.formatted(TOKEN));
        assertThat(c.mesh().controlPlane().trustDomain()).isEqualTo(ConfigLoader.DEFAULT_MESH_TRUST_DOMAIN).isEqualTo("cluster.local");
        assertThat(c.mesh().namespace()).isEqualTo(ConfigLoader.DEFAULT_MESH_NAMESPACE).isEqualTo("default");
        assertThat(c.mesh().serviceAccount()).isEqualTo(ConfigLoader.DEFAULT_MESH_SERVICE_ACCOUNT).isEqualTo("default");
        assertThat(c.mesh().controlPlane().joinToken()).isEqualTo(TOKEN);
        assertThat(c.mesh().controlPlane().joinTokenFile()).isNull();
        assertThat(c.mesh().toString()).doesNotContain(TOKEN).contains("joinToken=***");
        assertThat(c.mesh().withoutJoinToken().controlPlane().joinToken()).isNull();
    }

    @Test
    void aMeshClusterWithoutTheSectionIsAnErrorAtItsPath() {
        assertThat(errors("clusters:\n  orders:\n    mesh: {service: orders}\n" + ROUTE))
                .containsExactly("clusters.orders.mesh: needs the top-level mesh section");
    }

    @Test
    void endpointsOrTlsBesideMeshAreErrorsNamingTheField() {
        assertThat(errors(MESH + "clusters:\n  orders:\n    mesh: {service: orders}\n    endpoints: [{address: \"127.0.0.1:9001\"}]\n" + ROUTE))
                .containsExactly("clusters.orders.endpoints: a cluster with mesh takes its endpoints from the control plane: leave endpoints out"
                        + " (or mesh, to give them)");
        assertThat(errors(MESH + "clusters:\n  orders:\n    mesh: {service: orders}\n    tls: {sni: orders.example.com}\n" + ROUTE))
                .containsExactly("clusters.orders.tls: a cluster with mesh uses the mesh's mutual TLS (the gateway's SVID, the mesh's trust"
                        + " bundle, the service's SPIFFE IDs): leave tls out (or mesh)");
        assertThat(errors(MESH + "clusters:\n  orders:\n    mesh: {service: orders}\n    protocol: h2c\n" + ROUTE))
                .containsExactly("clusters.orders.protocol: h2c is HTTP/2 in clear text; a cluster with mesh is mutual TLS: use http1, or h2 for HTTP/2");
    }

    @Test
    void aClusterMeshNeedsAServiceThatIsADnsLabel() {
        assertThat(errors(MESH + "clusters:\n  orders:\n    mesh: {namespace: shop}\n" + ROUTE))
                .containsExactly("clusters.orders.mesh.service: is required");
        assertThat(errors(MESH + "clusters:\n  orders:\n    mesh: {service: Orders_1, namespace: \"a/b\", port: 1}\n" + ROUTE))
                .containsExactly("clusters.orders.mesh.port: unknown field",
                        "clusters.orders.mesh.service: must be a DNS label: lowercase letters, digits and '-', at most 63 (was 'Orders_1')",
                        "clusters.orders.mesh.namespace: the namespace 'a/b' may hold only letters, digits, '.', '-' and '_'");
    }

    @Test
    void theSectionsMistakesNameTheirFields() {
        String cluster = "clusters: {c: {endpoints: [{address: \"127.0.0.1:1\"}]}}\n";
        assertThat(errors("mesh: {namespace: default}\n" + cluster))
                .containsExactly("mesh.controlPlane: is required: {address: HOST:PORT, trustBundleFile: FILE, joinTokenFile: FILE}");
        assertThat(errors("""
                mesh:
                  controlPlane: {address: "127.0.0.1", trustBundleFile: missing.pem, joinToken: x, joinTokenFile: gateway.token, trustDomain: Cluster.Local}
                  serviceAccount: ".."
                  servceAccount: x
                """ + cluster)).containsExactly(
                "mesh.controlPlane.address: must be host:port, such as 127.0.0.1:15012 (was '127.0.0.1')",
                "mesh.controlPlane.trustBundleFile: cannot read 'missing.pem': " + pemError("missing.pem"),
                "mesh.controlPlane.joinToken: give either joinToken or joinTokenFile, not both",
                "mesh.servceAccount: unknown field (did you mean 'serviceAccount'?)");
        assertThat(errors("""
                mesh:
                  controlPlane: {address: "127.0.0.1:15012", trustBundleFile: gateway.token, joinTokenFile: missing.token, trustDomain: Cluster.Local}
                  serviceAccount: ".."
                """ + cluster)).containsExactly(
                "mesh.controlPlane.trustBundleFile: 'gateway.token' " + notPem(),
                "mesh.controlPlane.trustDomain: the trust domain 'Cluster.Local' may hold only a-z, 0-9, '.', '-' and '_' (no port, no upper case)",
                "mesh.serviceAccount: the serviceAccount must not be '.' or '..'");
        // the join token file is read when the gateway joins, not by the reader: a reload after the spent token's file
        // was deleted is no error (MeshGatewayTest: a missing or empty file at the join is)
        assertThat(load("""
                mesh:
                  controlPlane: {address: "127.0.0.1:15012", trustBundleFile: bundle.pem, joinTokenFile: no-such.token}
                """ + cluster).mesh().controlPlane().joinTokenFile()).isEqualTo(dir.resolve("no-such.token").toAbsolutePath().normalize());
        assertThat(errors("""
                mesh:
                  controlPlane: {address: "127.0.0.1:15012", trustBundleFile: bundle.pem}
                """ + cluster)).containsExactly(
                "mesh.controlPlane.joinTokenFile: is required (or joinToken): the join token the first SVID is issued against");
        assertThat(errors("""
                mesh:
                  controlPlane: {address: "127.0.0.1:15012", trustBundleFile: bundle.pem, joinToken: "t", trustDomain: "Cluster.Local"}
                  serviceAccount: ".."
                """ + cluster)).containsExactly(
                "mesh.controlPlane.trustDomain: the trust domain 'Cluster.Local' may hold only a-z, 0-9, '.', '-' and '_' (no port, no upper case)",
                "mesh.serviceAccount: the serviceAccount must not be '.' or '..'");
    }

    /** The reader's words for a PEM file it cannot read, as TlsReader gives them. */
    private String pemError(String file) {
        List<String> e = errors("listeners: [{address: \"127.0.0.1:1\", tls: {certificates: [{certFile: " + file + ", keyFile: " + file + "}]}}]\n"
                + "clusters: {c: {endpoints: [{address: \"127.0.0.1:1\"}]}}\n");
        String first = e.getFirst();
        return first.substring(first.indexOf("cannot read '" + file + "': ") + ("cannot read '" + file + "': ").length());
    }

    private String notPem() {
        List<String> e = errors("clusters: {c: {endpoints: [{address: \"127.0.0.1:1\"}], tls: {caFile: gateway.token}}}\n");
        String first = e.getFirst();
        return first.substring(first.indexOf("'gateway.token' ") + "'gateway.token' ".length());
    }

    @Test
    void aModelBuiltByCodeGetsTheSameRules() {
        StraitConfig file = load(MESH + "clusters:\n  orders:\n    mesh: {service: orders}\n" + ROUTE);
        assertThat(ConfigValidator.validate(file)).as("no endpoints before the first push").isEmpty();
        StraitConfig noSection = new StraitConfig(file.admin(), file.listeners(), file.clusters(), file.routes(), file.observability(),
                file.zone(), file.drainTimeout(), file.auth(), file.rateLimits(), null);
        assertThat(ConfigValidator.validate(noSection)).containsExactly("clusters.orders.mesh: needs the top-level mesh section");
        ClusterConfig orders = file.clusters().get("orders");
        StraitConfig badService = file.withClusters(Map.of("orders", new ClusterConfig(orders.name(), orders.endpoints(), orders.loadBalancer(),
                null, null, orders.protocol(), orders.pool(), null, orders.dnsRefresh(), null, null, null, new ClusterConfig.MeshService(null, "default"))));
        assertThat(ConfigValidator.validate(badService)).containsExactly("clusters.orders.mesh.service: is required");
        StraitConfig badSection = new StraitConfig(file.admin(), file.listeners(), file.clusters(), file.routes(), file.observability(),
                file.zone(), file.drainTimeout(), file.auth(), file.rateLimits(), new MeshConfig(new MeshConfig.ControlPlane(
                new HostPort("127.0.0.1", 0), "cluster.local", dir.resolve("bundle.pem"), " ", null), "default", null));
        assertThat(ConfigValidator.validate(badSection)).containsExactly(
                "mesh.controlPlane.address: must be host:port, such as 127.0.0.1:15012 (was '127.0.0.1:0')",
                "mesh.controlPlane.joinToken: must not be empty",
                "mesh.serviceAccount: is required");
    }
}
