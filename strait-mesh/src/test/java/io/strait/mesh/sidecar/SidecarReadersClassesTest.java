package io.strait.mesh.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.mesh.authz.AuthorizationPolicy;
import io.strait.mesh.authz.PolicyJson;
import io.strait.mesh.meshconfig.MeshConfigReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a sidecar reads at start (its file, the proxy config template, the pushed policies and traffic settings) is read
 * without a Jackson ObjectMapper, whose data binding loads about a thousand classes: checked in a fresh JVM, since this
 * one has loaded it for other tests, by the JVM's own class loading log.
 */
class SidecarReadersClassesTest {
    private static final String OBJECT_MAPPER = "com.fasterxml.jackson.databind.ObjectMapper ";
    /** A fresh JVM that reads four small documents; generous for a loaded CI machine. */
    private static final long PROBE_TIMEOUT_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    void theSidecarsReadersLoadNoObjectMapper() throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Path log = dir.resolve("classes.txt");
        Process p = new ProcessBuilder(java.toString(), "-Xlog:class+load=info:file=" + log,
                "-cp", System.getProperty("java.class.path"), Probe.class.getName(), dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("probe.out").toFile()).start();
        assertThat(p.waitFor(PROBE_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("the probe ends").isTrue();
        String out = Files.readString(dir.resolve("probe.out"));
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("read: orders, 1 policy, shop/orders");
        List<String> classes = Files.readAllLines(log, StandardCharsets.UTF_8);
        // the probe did load the readers (so an ObjectMapper in them would show)
        for (String loaded : List.of("io.strait.mesh.authz.PolicyJson ", "io.strait.config.load.YamlText ",
                "io.strait.mesh.meshconfig.TrafficPolicyReader ", "com.fasterxml.jackson.databind.node.ObjectNode ")) {
            assertThat(classes.stream().filter(l -> l.contains(" " + loaded)).count()).as(loaded).isEqualTo(1);
        }
        assertThat(classes.stream().filter(l -> l.contains(OBJECT_MAPPER)).toList()).isEmpty();
    }

    /** Reads what a sidecar reads at start, as a sidecar does; prints a summary line. */
    public static final class Probe {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            write(dir.resolve("bundle.pem"), "-----BEGIN CERTIFICATE-----\n");
            write(dir.resolve("orders.token"), "sjt_probe");
            SidecarConfig sc = SidecarConfigReader.parse("""
                    service: orders
                    namespace: shop
                    labels: {app: orders}
                    controlPlane: {address: "127.0.0.1:15012", trustBundleFile: bundle.pem, joinTokenFile: orders.token}
                    inbound: {appPort: 8080, mode: STRICT}
                    outbound: {services: {users: 15101}}
                    """, "sidecar.yaml", dir);
            String listener = SidecarTranslator.portListener("users"); // the class's proxy config template is read at its start
            AuthorizationPolicy policy = PolicyJson.read("""
                    {"source":"p.yaml [0]","namespace":"shop","name":"orders","selector":{"app":"orders"},"action":"ALLOW",
                     "rules":[{"from":[{"principals":["cluster.local/ns/shop/sa/web"],"notPrincipals":[],"namespaces":[],
                     "notNamespaces":[],"serviceAccounts":[],"notServiceAccounts":[]}],"to":[],"when":[]}]}""");
            var traffic = MeshConfigReader.trafficPolicy("""
                    {"apiVersion":"strait.io/v1","kind":"TrafficPolicy","metadata":{"name":"orders","namespace":"shop"},
                     "spec":{"service":"orders","timeout":"2s","retries":{"attempts":3}}}""", "shop/orders");
            System.out.println("read: " + sc.service() + ", " + List.of(policy).size() + " policy, " + traffic.serviceId()
                    + ", listener " + listener);
        }

        private static void write(Path file, String text) throws IOException {
            Files.writeString(file, text);
        }
    }
}
