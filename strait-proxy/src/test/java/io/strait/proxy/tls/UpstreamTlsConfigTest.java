package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.StraitConfig;
import io.strait.config.model.UpstreamTlsConfig;
import io.strait.proxy.testing.TestCerts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cluster's tls section: defaults, and every problem reported at its exact field, files included. */
class UpstreamTlsConfigTest {
    @TempDir
    Path dir;
    TestCerts certs;
    TestCerts.Ca ca;

    @BeforeEach
    void certs() {
        certs = new TestCerts(dir);
        ca = certs.ca("ca");
        ca.client("client", "CN=gateway", null);
        ca.client("other", "CN=other", null);
    }

    private StraitConfig load(String cluster) throws ConfigException {
        return ConfigLoader.parse("clusters:\n  users: {endpoints: [{address: users.internal:8443}], " + cluster + "}\n", "test", dir);
    }

    private List<String> errors(String cluster) {
        return catchThrowableOfType(ConfigException.class, () -> load(cluster)).errors();
    }

    @Test
    void theContractsExampleLoadsWithDefaults() throws Exception {
        ClusterConfig c = load("tls: {sni: users.internal, caFile: ca.pem, certFile: client.pem, keyFile: client.key,"
                + " verifySubjectAltName: [\"spiffe://example.org/ns/default/sa/users\"]}").clusters().get("users");
        UpstreamTlsConfig tls = c.tls();
        assertThat(tls.sni()).isEqualTo("users.internal");
        assertThat(tls.caFile()).isEqualTo(dir.resolve("ca.pem").toAbsolutePath());
        assertThat(tls.certFile()).isEqualTo(dir.resolve("client.pem").toAbsolutePath());
        assertThat(tls.keyFile()).isEqualTo(dir.resolve("client.key").toAbsolutePath());
        assertThat(tls.verifySubjectAltName()).containsExactly("spiffe://example.org/ns/default/sa/users");
        assertThat(tls.minVersion()).isEqualTo("TLSv1.2");
        assertThat(tls.reloadCheckInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.protocol()).isEqualTo(ClusterConfig.UpstreamProtocol.HTTP1);

        UpstreamTlsConfig empty = load("tls: {}").clusters().get("users").tls();
        assertThat(empty).isEqualTo(new UpstreamTlsConfig(null, null, null, null, List.of(), "TLSv1.2", Duration.ofSeconds(10)));
        assertThat(load("protocol: h2, tls: {}").clusters().get("users").protocol()).isEqualTo(ClusterConfig.UpstreamProtocol.H2);
        assertThat(load("protocol: http1").clusters().get("users").tls()).isNull();
    }

    @Test
    void missingAndUnreadableFilesNameTheirField() throws Exception {
        Files.createDirectory(dir.resolve("dir.pem"));
        assertThat(errors("tls: {caFile: missing.pem}")).containsExactly(
                "clusters.users.tls.caFile: cannot read 'missing.pem': no such file");
        assertThat(errors("tls: {caFile: dir.pem, certFile: nope.pem, keyFile: client.key}")).containsExactly(
                "clusters.users.tls.caFile: cannot read 'dir.pem': IOException: Is a directory",
                "clusters.users.tls.certFile: cannot read 'nope.pem': no such file");
        assertThat(errors("tls: {certFile: client.pem}")).containsExactly("clusters.users.tls.keyFile: is required");
        assertThat(errors("tls: {keyFile: client.key}")).containsExactly("clusters.users.tls.certFile: is required");
    }

    @Test
    void aKeyThatIsNotItsCertificatesIsRefused() {
        certs.write("junk.pem", "not a certificate");
        assertThat(errors("tls: {certFile: client.pem, keyFile: other.key}")).containsExactly(
                "clusters.users.tls.keyFile: 'other.key' is not the key of the certificate in 'client.pem'");
        assertThat(errors("tls: {caFile: junk.pem}")).containsExactly(
                "clusters.users.tls.caFile: 'junk.pem' holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }

    @Test
    void namesVersionsAndProtocolsAreChecked() {
        assertThat(errors("tls: {sni: 'not a name'}")).containsExactly("clusters.users.tls.sni: 'not a name' is not a DNS name");
        assertThat(errors("tls: {sni: '*.internal'}")).containsExactly("clusters.users.tls.sni: '*.internal' is not a DNS name");
        assertThat(errors("tls: {verifySubjectAltName: ['bad name', 'spiffe://x/y', 'spiffe://x/y']}")).containsExactly(
                "clusters.users.tls.verifySubjectAltName: 'bad name' is not a DNS name or a URI",
                "clusters.users.tls.verifySubjectAltName: 'spiffe://x/y' is listed twice");
        assertThat(errors("tls: {minVersion: TLSv1.1}")).containsExactly(
                "clusters.users.tls.minVersion: TLSv1.1 is not allowed: versions before TLSv1.2 are broken; use TLSv1.2 or TLSv1.3");
        assertThat(errors("tls: {alpn: [h2]}")).containsExactly("clusters.users.tls.alpn: unknown field");
        assertThat(errors("protocol: h2")).containsExactly(
                "clusters.users.protocol: h2 is HTTP/2 over TLS: add a tls section, or use h2c for HTTP/2 in clear text");
        assertThat(errors("protocol: h2c, tls: {}")).containsExactly(
                "clusters.users.protocol: h2c is HTTP/2 in clear text; over tls, HTTP/2 is protocol: h2");
    }

    @Test
    void aFileThatCannotBeReadAtStartNamesItsPathAndFieldToo() {
        UpstreamTlsConfig tls = new UpstreamTlsConfig(null, dir.resolve("gone.pem"), null, null, List.of(), "TLSv1.2",
                Duration.ofSeconds(10));
        IllegalArgumentException e = catchThrowableOfType(IllegalArgumentException.class,
                () -> UpstreamTls.create("users", tls, ClusterConfig.UpstreamProtocol.HTTP1, null));
        assertThat(e).hasMessage("clusters.users.tls.caFile '" + dir.resolve("gone.pem") + "': no such file");
    }
}
