package io.strait.mesh.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.strait.mesh.sidecar.SidecarConfig;
import io.strait.mesh.sidecar.SidecarConfigReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strait inject}'s work on a real multi-document manifest (inject/shop.yaml). */
class ManifestInjectorTest {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private final ManifestInjector injector = new ManifestInjector(new SidecarInjector(
            new InjectSettings("registry.example.com/strait:0.1.0", null, "strait-control-plane.strait-system.svc:15012", "cluster.local")));

    static String resource(String name) throws IOException {
        try (InputStream in = ManifestInjectorTest.class.getResourceAsStream("/inject/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static List<String> docs(String yaml) {
        return ManifestInjector.split(yaml);
    }

    @Test
    void injectsTheWorkloadsAndLeavesEveryOtherDocumentAsWritten() throws Exception {
        String in = resource("shop.yaml");
        ManifestInjector.Result r = injector.inject(in, "shop.yaml");
        assertThat(r.outcomes()).extracting(SidecarInjector.Outcome::kind).containsExactly(
                SidecarInjector.Kind.NOT_A_WORKLOAD, SidecarInjector.Kind.NOT_A_WORKLOAD, SidecarInjector.Kind.NOT_A_WORKLOAD,
                SidecarInjector.Kind.INJECTED, SidecarInjector.Kind.INJECTED, SidecarInjector.Kind.OPTED_OUT);
        List<String> before = docs(in);
        List<String> after = docs(r.yaml());
        assertThat(after).hasSize(6);
        for (int i : new int[] {0, 1, 2, 5}) assertThat(after.get(i)).isEqualTo(before.get(i));
        assertThat(after.get(2)).contains("# left exactly as written, comments too");

        JsonNode deployment = YAML.readTree(after.get(3));
        JsonNode pod = deployment.path("spec").path("template");
        assertThat(pod.path("metadata").path("annotations").path(SidecarInjector.STATUS).asText()).isEqualTo("injected");
        JsonNode sidecar = pod.path("spec").path("initContainers").get(0);
        assertThat(sidecar.path("name").asText()).isEqualTo("strait-sidecar");
        assertThat(sidecar.path("restartPolicy").asText()).as("a native sidecar").isEqualTo("Always");
        assertThat(sidecar.path("image").asText()).isEqualTo("registry.example.com/strait:0.1.0");
        assertThat(sidecar.path("ports").findValuesAsText("containerPort")).containsExactly("15006", "15001", "15000");
        assertThat(sidecar.path("startupProbe").path("exec").path("command").toString()).contains("http://127.0.0.1:15000/ready");
        assertThat(sidecar.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        JsonNode volumes = pod.path("spec").path("volumes");
        assertThat(volumes.findValuesAsText("secretName")).containsExactly("strait-join-orders");
        assertThat(volumes.toString()).contains("\"configMap\":{\"name\":\"strait-trust-bundle\"}");
        JsonNode app = pod.path("spec").path("containers").get(0);
        assertThat(app.path("env").toString()).contains("{\"name\":\"HTTP_PROXY\",\"value\":\"http://127.0.0.1:15001\"}")
                .contains("{\"name\":\"LOG_LEVEL\",\"valueFrom\"");
        assertThat(app.path("image").asText()).isEqualTo("registry.example.com/shop/orders:1.4.2");
        assertThat(deployment.path("spec").path("replicas").asInt()).isEqualTo(2);

        JsonNode cronPod = YAML.readTree(after.get(4)).path("spec").path("jobTemplate").path("spec").path("template");
        assertThat(cronPod.path("spec").path("initContainers").get(0).path("command").get(2).asText())
                .contains("service: orders-report").contains("appPort: 9090");
    }

    @Test
    void injectingTwiceIsInjectingOnce() throws Exception {
        String once = injector.inject(resource("shop.yaml"), "shop.yaml").yaml();
        ManifestInjector.Result twice = injector.inject(once, "shop.yaml");
        assertThat(twice.yaml()).isEqualTo(once);
        assertThat(twice.outcomes()).extracting(SidecarInjector.Outcome::kind).contains(SidecarInjector.Kind.ALREADY_INJECTED).doesNotContain(SidecarInjector.Kind.INJECTED);
    }

    @Test
    void theSidecarsConfigIsOneTheSidecarReads(@TempDir Path dir) throws Exception {
        String out = injector.inject(resource("shop.yaml"), "shop.yaml").yaml();
        String script = YAML.readTree(docs(out).get(3)).path("spec").path("template").path("spec").path("initContainers").get(0)
                .path("command").get(2).asText();
        assertThat(script).contains("appPort: 8080");
        SidecarConfig c = read(script, dir);
        assertThat(c.service()).isEqualTo("orders");
        assertThat(c.namespace()).isEqualTo("shop");
        assertThat(c.serviceAccount()).isEqualTo("orders");
        assertThat(c.labels()).containsEntry("app", "orders").containsEntry("version", "v1");
        String cron = YAML.readTree(docs(out).get(4)).path("spec").path("jobTemplate").path("spec").path("template").path("spec")
                .path("initContainers").get(0).path("command").get(2).asText();
        assertThat(read(cron, dir).labels()).containsEntry("app.kubernetes.io/name", "orders-report");
    }

    /** The config the sidecar's start script writes, with the downward API's values and the mounted files where the test has them. */
    private static SidecarConfig read(String script, Path dir) throws Exception {
        assertThat(script).startsWith("cat > /var/run/strait/sidecar.yaml <<EOF\n").endsWith("exec /opt/strait/bin/strait sidecar --config /var/run/strait/sidecar.yaml\n");
        // what the shell writes, with the downward API's values, and the mounted files where the test has them
        String config = script.substring(script.indexOf('\n') + 1, script.indexOf("\nEOF\n") + 1)
                .replace("${POD_NAMESPACE}", "shop").replace("${POD_SERVICE_ACCOUNT}", "orders").replace("${POD_IP}", "10.1.2.3")
                .replace("/etc/strait/trust-bundle/", dir + "/").replace("/etc/strait/join-token/", dir + "/");
        Files.writeString(dir.resolve("token"), "sjt_test");
        Files.writeString(dir.resolve("trust-bundle.pem"), "");
        assertThat(config).contains("advertiseAddress: \"10.1.2.3\"").contains("address: \"strait-control-plane.strait-system.svc:15012\"");
        return SidecarConfigReader.parse(config, "sidecar.yaml", dir);
    }

    @Test
    void aWorkloadWithoutAPortIsAnErrorNamingIt() {
        String yaml = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: worker}
                spec:
                  template:
                    metadata: {labels: {app: worker}}
                    spec:
                      containers: [{name: worker, image: worker:1}]
                """;
        ManifestInjector.Result r = injector.inject(yaml, "worker.yaml");
        assertThat(r.refusals()).containsExactly(
                "deployment/worker: its first container declares no containerPort; set the annotation strait.io/app-port");
    }

    @Test
    void aDocumentThatIsNotYamlIsAnErrorNamingIt() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> injector.inject("kind: Pod\n---\nkind: [unclosed\n", "x.yaml"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("x.yaml: document 2 is not valid YAML");
    }
}
