package io.strait.mesh.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.load.ConfigException;
import io.strait.config.model.HostPort;
import io.strait.mesh.peerauth.PeerAuthMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sidecar's own config file: defaults, every error with its path, and the join token kept secret. */
class SidecarConfigReaderTest {
    static final String TOKEN = "sjt_c2VjcmV0LXRva2VuLXZhbHVlLXRoYXQtbXVzdC1uZXZlci1sZWFr";
    @TempDir
    Path dir;

    @BeforeEach
    void files() throws Exception {
        Files.writeString(dir.resolve("bundle.pem"), "-----BEGIN CERTIFICATE-----\n");
        Files.writeString(dir.resolve("orders.token"), TOKEN);
    }

    SidecarConfig parse(String yaml) throws ConfigException {
        return SidecarConfigReader.parse(yaml, "sidecar.yaml", dir);
    }

    @Test
    void theSmallestConfigGetsTheDocumentedDefaults() throws Exception {
        SidecarConfig c = parse("""
                service: orders
                controlPlane: {address: "cp.mesh:15012", trustBundleFile: bundle.pem, joinTokenFile: orders.token}
                inbound: {appPort: 8080}
                """);
        assertThat(c.namespace()).isEqualTo("default");
        assertThat(c.serviceAccount()).isEqualTo("default");
        assertThat(c.inbound()).isEqualTo(new SidecarConfig.Inbound("0.0.0.0", 15006, 8080, null));
        assertThat(c.outbound()).isEqualTo(new SidecarConfig.Outbound(15001, Map.of()));
        assertThat(c.admin().port()).isEqualTo(15000);
        assertThat(c.controlPlane().address()).isEqualTo(new HostPort("cp.mesh", 15012));
        assertThat(c.controlPlane().trustBundleFile()).isEqualTo(dir.resolve("bundle.pem"));
        assertThat(c.labels()).isEmpty();
    }

    @Test
    void referencesResolveAsInTheGatewaysFileAndAMissingOneNamesItsField() throws Exception {
        SidecarConfig c = parse("""
                service: orders
                zone: "${NO_SUCH_STRAIT_VARIABLE:-eu-1a}"
                controlPlane: {address: "cp.mesh:15012", trustBundleFile: bundle.pem, joinToken: "${file:orders.token}"}
                inbound: {appPort: 8080}
                """);
        assertThat(c.zone()).isEqualTo("eu-1a");
        assertThat(c.controlPlane().joinToken()).isEqualTo(TOKEN);
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse("""
                service: orders
                zone: "${NO_SUCH_STRAIT_VARIABLE}"
                controlPlane: {address: "cp.mesh:15012", trustBundleFile: bundle.pem, joinTokenFile: orders.token}
                inbound: {appPort: 8080}
                """));
        assertThat(e.errors()).containsExactly("sidecar.yaml: zone: environment variable 'NO_SUCH_STRAIT_VARIABLE' is not set");
    }

    @Test
    void theAccessLogIsOnOnStdoutUnlessTheFileSaysOtherwise() throws Exception {
        String base = """
                service: orders
                controlPlane: {address: "cp.mesh:15012", trustBundleFile: bundle.pem, joinTokenFile: orders.token}
                inbound: {appPort: 8080}
                """;
        assertThat(parse(base).accessLog()).isEqualTo(new SidecarConfig.AccessLog(true, null));
        assertThat(parse(base + "accessLog: {enabled: false}").accessLog().enabled()).isFalse();
        assertThat(parse(base + "accessLog: {path: logs/orders.log}").accessLog()).isEqualTo(new SidecarConfig.AccessLog(true,
                dir.resolve("logs/orders.log")));
        assertThatThrownBy(() -> parse(base + "accessLog: {path: '', format: text}")).isInstanceOfSatisfying(ConfigException.class,
                e -> assertThat(e.errors()).anySatisfy(m -> assertThat(m).startsWith("sidecar.yaml: accessLog.path: must not be empty"))
                        .anySatisfy(m -> assertThat(m).startsWith("sidecar.yaml: accessLog.format:")));
    }

    @Test
    void everyFieldIsRead() throws Exception {
        SidecarConfig c = parse("""
                service: orders
                namespace: shop
                serviceAccount: orders-sa
                zone: eu-1a
                labels: {app: orders, version: v2}
                controlPlane: {address: "10.0.0.2:15012", trustBundleFile: bundle.pem, joinToken: %s}
                inbound: {address: 0.0.0.0, port: 16006, appPort: 9000, mode: permissive, advertiseAddress: 10.1.2.3}
                outbound: {port: 16001, services: {users: 15101, payments.billing: 15102}}
                admin: {port: 16000}
                """.formatted(TOKEN));
        assertThat(c.inbound()).isEqualTo(new SidecarConfig.Inbound("0.0.0.0", 16006, 9000, PeerAuthMode.PERMISSIVE, "10.1.2.3"));
        assertThat(c.outbound().services()).isEqualTo(Map.of("users", 15101, "payments.billing", 15102));
        assertThat(c.labels()).isEqualTo(Map.of("app", "orders", "version", "v2"));
        assertThat(c.zone()).isEqualTo("eu-1a");
        assertThat(c.controlPlane().joinToken()).isEqualTo(TOKEN);
        assertThat(c.toString()).doesNotContain(TOKEN).contains("joinToken=***");
    }

    @Test
    void errorsNameTheirPathAndNeverShowTheToken() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse("""
                service: Orders_1
                namespace: "a/b"
                sevice: x
                controlPlane: {address: "cp", trustBundleFile: missing.pem, joinToken: %s, joinTokenFile: orders.token}
                inbound: {port: 70000, mode: lenient, advertiseAddress: 0.0.0.0}
                outbound: {services: {users: 15101, "bad name": 15102, orders: 15101}}
                admin: {prt: 1}
                """.formatted(TOKEN)));
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "sidecar.yaml: service: must be a DNS label: lowercase letters, digits and '-', at most 63 (was 'Orders_1')",
                "sidecar.yaml: namespace: " + io.strait.mesh.identity.SpiffeId.checkSegment("namespace", "a/b"),
                "sidecar.yaml: sevice: unknown field (did you mean 'service'?)",
                "sidecar.yaml: controlPlane.address: must be host:port, such as 127.0.0.1:15012 (was 'cp')",
                "sidecar.yaml: controlPlane.trustBundleFile: cannot read " + dir.resolve("missing.pem") + ": no such file",
                "sidecar.yaml: controlPlane.joinToken: give either joinToken or joinTokenFile, not both",
                "sidecar.yaml: inbound.port: must be between 0 and 65535 (was 70000)",
                "sidecar.yaml: inbound.appPort: is required: the port the local app listens on (127.0.0.1)",
                "sidecar.yaml: inbound.mode: unknown value 'lenient'; expected one of strict, permissive",
                "sidecar.yaml: inbound.advertiseAddress: must be the IP address or host name other hosts reach this one at, such as 10.0.3.7 (was '0.0.0.0')",
                "sidecar.yaml: outbound.services.bad name: must be a service name, or NAME.NAMESPACE (lowercase letters, digits and '-')",
                "sidecar.yaml: outbound.services.orders: port 15101 is already used by another outbound port",
                "sidecar.yaml: admin.prt: unknown field (did you mean 'port'?)");
        assertThat(String.join("\n", e.errors())).doesNotContain(TOKEN);
    }

    @Test
    void theRequiredSectionsAreNamed() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse("{}"));
        assertThat(e.errors()).containsExactlyInAnyOrder(
                "sidecar.yaml: service: is required",
                "sidecar.yaml: controlPlane: is required: {address: HOST:PORT, trustBundleFile: FILE, joinTokenFile: FILE}",
                "sidecar.yaml: inbound: is required: {appPort: PORT}, the local app's port");
        ConfigException token = catchThrowableOfType(ConfigException.class, () -> parse("""
                service: orders
                controlPlane: {address: "cp:15012", trustBundleFile: bundle.pem}
                inbound: {appPort: 8080}
                """));
        assertThat(token.errors()).containsExactly(
                "sidecar.yaml: controlPlane.joinTokenFile: is required (or joinToken): the join token the first SVID is issued against");
    }

    @Test
    void textThatIsNotOneYamlDocumentIsRefusedWithItsLine() {
        String head = "service: orders\ncontrolPlane: {address: \"cp:15012\", trustBundleFile: bundle.pem, joinTokenFile: orders.token}\n";
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse(head + "inbound: {appPort: 8080}\ninbound: {appPort: 1}\n"))
                .errors()).singleElement().asString().startsWith("sidecar.yaml: not valid YAML at line 4").endsWith("duplicate key 'inbound'");
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse(head + "zone: &z a\ninbound: {appPort: 8080}\nlabels: {z: *z}\n"))
                .errors()).containsExactly("sidecar.yaml: YAML aliases are not supported (*z at line 5); write the value out");
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse(head + "inbound: {appPort: 8080}\n---\nservice: b\n"))
                .errors()).containsExactly("sidecar.yaml: the file holds more than one YAML document (the next starts at line 5); use one");
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse(head + "inbound: {appPort: [8080\n"))
                .errors()).singleElement().asString().startsWith("sidecar.yaml: not valid YAML at line 4");
        // an empty file is an empty object of settings: the required ones are named
        assertThat(catchThrowableOfType(ConfigException.class, () -> parse("")).errors()).contains("sidecar.yaml: service: is required");
    }
}
