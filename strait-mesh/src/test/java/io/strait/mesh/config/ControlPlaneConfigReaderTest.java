package io.strait.mesh.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.strait.config.load.ConfigException;
import io.strait.mesh.ca.CertificateAuthority;
import io.strait.mesh.store.MemoryStore;
import io.strait.mesh.svid.WorkloadKey;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control plane's CA settings: defaults, paths against the file's directory, every error with its path. */
class ControlPlaneConfigReaderTest {
    @TempDir
    Path dir;

    private ControlPlaneConfig parse(String yaml) throws ConfigException {
        return ControlPlaneConfigReader.parse(yaml, "cp.yaml", dir);
    }

    private List<String> errors(String yaml) {
        return catchThrowableOfType(ConfigException.class, () -> parse(yaml)).errors();
    }

    @Test
    void anEmptyFileMeansTheDefaults() throws Exception {
        ControlPlaneConfig c = parse("");
        assertThat(c.trustDomain()).isEqualTo("cluster.local");
        assertThat(c.dataDir()).isEqualTo(dir.resolve(".strait/control-plane"));
        assertThat(c.ca().fromFiles()).isFalse();
        assertThat(c.ca().dir()).isEqualTo(dir.resolve(".strait/control-plane/ca"));
        assertThat(c.storeDir()).isEqualTo(dir.resolve(".strait/control-plane/store"));
        assertThat(c.svid().ttl()).isEqualTo(CertificateAuthority.DEFAULT_SVID_TTL);
    }

    @Test
    void readsEveryField() throws Exception {
        Files.writeString(dir.resolve("ca.pem"), "x");
        Files.writeString(dir.resolve("ca.key"), "x");
        Files.writeString(dir.resolve("chain.pem"), "x");
        Files.writeString(dir.resolve("old-roots.pem"), "x");
        ControlPlaneConfig c = parse("""
                trustDomain: prod.example
                dataDir: /var/lib/strait
                ca: {certFile: ca.pem, keyFile: ca.key, chainFile: chain.pem, bundleFile: old-roots.pem}
                svid: {ttl: 2h}
                """);
        assertThat(c.trustDomain()).isEqualTo("prod.example");
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/strait"));
        assertThat(c.ca()).isEqualTo(new ControlPlaneConfig.CaConfig(dir.resolve("ca.pem"), dir.resolve("ca.key"),
                dir.resolve("chain.pem"), dir.resolve("old-roots.pem"), null));
        assertThat(c.svid().ttl()).isEqualTo(Duration.ofHours(2));
        assertThat(parse("ca: {dir: my-ca}").ca().dir()).isEqualTo(dir.resolve("my-ca"));
    }

    @Test
    void aShortSvidLifetimeIsAcceptedWithAWarningNamingTheField() throws Exception {
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> log = new ch.qos.logback.core.read.ListAppender<>();
        log.start();
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(ControlPlaneConfigReader.class);
        logger.addAppender(log);
        try {
            assertThat(parse("svid: {ttl: 10s}").svid().ttl()).isEqualTo(Duration.ofSeconds(10));
            assertThat(log.list).singleElement().satisfies(e -> {
                assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
                assertThat(e.getFormattedMessage()).startsWith("cp.yaml: svid.ttl: is 10s, under 5m: short lifetimes are for tests and demos: "
                        + "every renewal is a CSR signature");
            });
            log.list.clear();
            parse("svid: {ttl: 5m}");
            parse("");
            assertThat(log.list).as("5 minutes and more: no warning").isEmpty();
        } finally {
            logger.detachAppender(log);
        }
    }

    @Test
    void everyErrorNamesItsPath() {
        assertThat(errors("""
                trustDomian: x
                trustDomain: Prod.Example
                ca: {certFile: missing.pem, dir: ca, keyFiel: k}
                svid: {ttl: 5s}
                """)).containsExactly(
                "cp.yaml: trustDomian: unknown field (did you mean 'trustDomain'?)",
                "cp.yaml: trustDomain: the trust domain 'Prod.Example' must be lowercase",
                "cp.yaml: ca.keyFiel: unknown field (did you mean 'keyFile'?)",
                "cp.yaml: ca.certFile: cannot read " + dir.resolve("missing.pem") + ": no such file",
                "cp.yaml: ca.keyFile: is required with ca.certFile",
                "cp.yaml: ca.dir: give either ca.dir (a generated root) or ca.certFile and ca.keyFile (your own PKI), not both",
                "cp.yaml: svid.ttl: must be between 10s and 30d (was 5s)");
        assertThat(errors("svid: {ttl: soon}")).containsExactly("cp.yaml: svid.ttl: must be a duration such as 250ms, 1.5s, 1m30s or 2h (was 'soon')");
        assertThat(errors("ca: {chainFile: c.pem}")).contains("cp.yaml: ca.chainFile: needs ca.certFile and ca.keyFile");
        assertThat(errors("ca: [a]")).containsExactly("cp.yaml: ca: must be an object");
        assertThat(errors("a: [")).singleElement().asString().startsWith("cp.yaml: not valid YAML");
        assertThat(errors("trustDomain: a\ntrustDomain: b")).singleElement().asString().contains("not valid YAML").contains("trustDomain");
    }

    @Test
    void theTelemetryReportIntervalIsOneToThirtySeconds() throws Exception {
        assertThat(parse("").telemetry().reportInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(parse("telemetry: {reportInterval: 2s}").telemetry().reportInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(errors("telemetry: {reportInterval: 500ms, window: 1m}")).containsExactly(
                "cp.yaml: telemetry.window: unknown field",
                "cp.yaml: telemetry.reportInterval: must be between 1s and 30s (was 500ms)");
    }

    @Test
    void policiesAreAPathOrAListOfFilesAndDirectories() throws Exception {
        Files.createDirectories(dir.resolve("policies"));
        Files.writeString(dir.resolve("extra.yaml"), "");
        ControlPlaneConfig none = parse("");
        assertThat(none.policies()).isEmpty();
        assertThat(none.rootNamespace()).isEqualTo("istio-system");
        assertThat(parse("policies: policies").policies()).containsExactly(dir.resolve("policies"));
        ControlPlaneConfig both = parse("policies: [policies, extra.yaml]\nrootNamespace: mesh-root");
        assertThat(both.policies()).containsExactly(dir.resolve("policies"), dir.resolve("extra.yaml"));
        assertThat(both.rootNamespace()).isEqualTo("mesh-root");
        assertThat(errors("policies: [policies, nope.yaml, {a: b}]\nrootNamespace: Istio_System\npolicie: x")).containsExactly(
                "cp.yaml: policie: unknown field (did you mean 'policies'?)",
                "cp.yaml: policies[1]: no such file or directory: " + dir.resolve("nope.yaml"),
                "cp.yaml: policies[2]: must be a file or directory of policy documents",
                "cp.yaml: rootNamespace: 'Istio_System' must be a namespace name: lower-case letters, digits and '-'");
        assertThat(errors("policies: missing")).containsExactly("cp.yaml: policies: no such file or directory: " + dir.resolve("missing"));
    }

    @Test
    void theBootstrapGeneratesTheRootOnceAndTheCaIssues() throws Exception {
        ControlPlaneConfig c = parse("trustDomain: demo.local\nsvid: {ttl: 10m}");
        CertificateAuthority ca = CaBootstrap.open(c, new MemoryStore(), TestPki.clock(TestPki.NOW), TestPki.SIGNER);
        assertThat(Files.exists(c.ca().dir().resolve("root.key"))).isTrue();
        SpiffeId id = new SpiffeId("demo.local", "ns1", "sa1");
        assertThat(ca.sign(WorkloadKey.generate().csrDer(id), id).notAfter()).isEqualTo(TestPki.NOW.plus(Duration.ofMinutes(10)));
        CertificateAuthority again = CaBootstrap.open(c, new MemoryStore(), TestPki.clock(TestPki.NOW), TestPki.SIGNER);
        assertThat(again.bundle().roots()).isEqualTo(ca.bundle().roots());
    }

    @Test
    void theBootstrapUsesAUsersPkiMadeByOpenssl() throws Exception {
        Path docsCa = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("src/test/resources/docs-ca");
        ControlPlaneConfig c = ControlPlaneConfigReader.parse("""
                ca: {certFile: mesh-intermediate.pem, keyFile: mesh-intermediate.key, chainFile: root-ca.pem, bundleFile: old-root-ca.pem}
                """, "cp.yaml", docsCa);
        CertificateAuthority ca = CaBootstrap.open(c, new MemoryStore(), TestPki.clock(TestPki.NOW), TestPki.SIGNER);
        assertThat(ca.bundle().roots()).extracting(r -> r.getSubjectX500Principal().getName())
                .containsExactly("CN=Example mesh root,O=Example", "CN=Example old mesh root,O=Example");
        SpiffeId id = new SpiffeId("cluster.local", "shop", "orders");
        var svid = ca.sign(WorkloadKey.generate().csrDer(id), id);
        assertThat(svid.chain()).hasSize(2);
        assertThat(new io.strait.mesh.identity.SvidVerifier(TestPki.clock(TestPki.NOW)).verify(svid.chain(), ca.bundle())).isEqualTo(id);
        assertThat(ca.status().certificates()).extracting(x -> x.role()).containsExactly("signing", "root", "root");
    }
}
