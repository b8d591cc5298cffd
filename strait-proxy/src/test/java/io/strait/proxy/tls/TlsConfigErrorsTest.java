package io.strait.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.load.ConfigException;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.StraitConfig;
import io.strait.proxy.testing.TestCerts;
import io.strait.proxy.testing.TestCerts.KeyFormat;
import io.strait.proxy.testing.TestCerts.KeyType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loader reads the tls files and names the exact field of every problem; every PEM key format loads. */
class TlsConfigErrorsTest {
    @TempDir
    Path dir;
    TestCerts certs;
    TestCerts.Ca ca;

    @BeforeEach
    void certs() {
        certs = new TestCerts(dir);
        ca = certs.ca("ca");
        ca.server("a", "a.test");
        ca.server("b", "b.test");
    }

    private StraitConfig load(String tls) throws ConfigException {
        return ConfigLoader.parse("listeners:\n  - {name: public, address: 127.0.0.1:0, tls: " + tls + "}\n", "test", dir);
    }

    private java.util.List<String> errors(String tls) {
        return catchThrowableOfType(ConfigException.class, () -> load(tls)).errors();
    }

    @Test
    void aValidSectionLoadsWithDefaultsAndAbsolutePaths() throws Exception {
        ListenerConfig l = load("{certificates: [{certFile: a.pem, keyFile: a.key}]}").listeners().get(0);
        assertThat(l.tls().certificates().get(0).certFile()).isEqualTo(dir.resolve("a.pem").toAbsolutePath());
        assertThat(l.tls().minVersion()).isEqualTo("TLSv1.2");
        assertThat(l.tls().alpn()).containsExactly("h2", "http/1.1");
        assertThat(l.tls().reloadCheckInterval()).hasSeconds(10);
        assertThat(l.tls().hsts()).isNull();
        assertThat(l.secure()).isTrue();
    }

    @Test
    void missingAndUnreadableFilesNameTheirField() throws Exception {
        Files.createDirectory(dir.resolve("dir.key"));
        assertThat(errors("{certificates: [{certFile: a.pem, keyFile: a.key}, {certFile: x.pem, keyFile: dir.key}]}")).containsExactly(
                "listeners[0].tls.certificates[1].certFile: cannot read 'x.pem': no such file",
                "listeners[0].tls.certificates[1].keyFile: cannot read 'dir.key': IOException: Is a directory");
        assertThat(errors("{certificates: [{certFile: a.pem}]}")).containsExactly("listeners[0].tls.certificates[0].keyFile: is required");
        assertThat(errors("{}")).containsExactly("listeners[0].tls.certificates: is required: at least one {certFile, keyFile}");
    }

    @Test
    void filesThatAreNotPemOrDoNotMatchAreRefused() throws Exception {
        certs.write("junk.key", "not a key");
        certs.write("bad.key", "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        assertThat(errors("{certificates: [{certFile: a.key, keyFile: junk.key}]}")).containsExactly(
                "listeners[0].tls.certificates[0].certFile: 'a.key' holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                "listeners[0].tls.certificates[0].keyFile: 'junk.key': holds no PEM private key (-----BEGIN PRIVATE KEY-----)");
        assertThat(errors("{certificates: [{certFile: a.pem, keyFile: bad.key}]}")).containsExactly(
                "listeners[0].tls.certificates[0].keyFile: 'bad.key': the private key is not a valid RSA, EC or Ed25519 key");
        assertThat(errors("{certificates: [{certFile: a.pem, keyFile: b.key}]}")).containsExactly(
                "listeners[0].tls.certificates[0].keyFile: 'b.key' is not the key of the certificate in 'a.pem'");
    }

    @Test
    void oldTlsVersionsAndUnknownSettingsAreRefused() {
        String c = "certificates: [{certFile: a.pem, keyFile: a.key}]";
        assertThat(errors("{" + c + ", minVersion: TLSv1.1}")).containsExactly(
                "listeners[0].tls.minVersion: TLSv1.1 is not allowed: versions before TLSv1.2 are broken; use TLSv1.2 or TLSv1.3");
        assertThat(errors("{" + c + ", minVersion: TLSv1.4}")).containsExactly(
                "listeners[0].tls.minVersion: unknown value 'TLSv1.4'; expected one of TLSv1.2, TLSv1.3");
        assertThat(errors("{" + c + ", alpn: [h3]}")).containsExactly("listeners[0].tls.alpn: unknown protocol 'h3'; expected h2, http/1.1");
        assertThat(errors("{" + c + ", clientAuth: {mode: require}}")).containsExactly("listeners[0].tls.clientAuth.caFile: is required");
        assertThat(errors("{" + c + ", clientAuth: {mode: sometimes, caFile: ca.pem}}")).containsExactly(
                "listeners[0].tls.clientAuth.mode: unknown value 'sometimes'; expected one of none, optional, require");
        assertThat(errors("{" + c + ", ciphers: [RC4]}")).containsExactly("listeners[0].tls.ciphers: unknown field");
        assertThat(errors("{certificates: [{certFile: a.pem, keyFile: a.key, serverNames: ['bad name']}]}")).containsExactly(
                "listeners[0].tls.certificates[0].serverNames: 'bad name' is not a DNS name or a wildcard like *.example.com");
    }

    @Test
    void redirectToHttpsIsForPlainListeners() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.parse("""
                listeners:
                  - {name: public, address: 127.0.0.1:0, redirectToHttps: {}, tls: {certificates: [{certFile: a.pem, keyFile: a.key}]}}
                  - {name: plain, address: 127.0.0.1:1, redirectToHttps: {port: 0}}
                """, "test", dir));
        assertThat(e.errors()).containsExactly(
                "listeners[0].redirectToHttps: is for plain listeners; this one already has tls",
                "listeners[1].redirectToHttps.port: must be between 1 and 65535 (was 0)");
    }

    @Test
    void pkcs1RsaAndSec1EcKeysLoadAndServe() throws Exception {
        ca.server("rsa", KeyType.RSA, KeyFormat.TRADITIONAL, "rsa.test");
        ca.server("ec", KeyType.EC, KeyFormat.TRADITIONAL, "ec.test");
        ca.server("rsa8", KeyType.RSA, KeyFormat.PKCS8, "rsa8.test");
        assertThat(Files.readString(dir.resolve("rsa.key"))).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(Files.readString(dir.resolve("ec.key"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
        StraitConfig c = load("{certificates: [{certFile: rsa.pem, keyFile: rsa.key}, {certFile: ec.pem, keyFile: ec.key},"
                + " {certFile: rsa8.pem, keyFile: rsa8.key}]}");
        SniTable table = TlsContexts.build(c.listeners().get(0).tls(), c.listeners().get(0).tls().alpn());
        assertThat(table.lookup("ec.test")).isNotSameAs(table.lookup("rsa.test")).isNotSameAs(table.lookup("rsa8.test"));
        assertThat(table.lookup(null)).isSameAs(table.lookup("rsa.test"));
    }
}
