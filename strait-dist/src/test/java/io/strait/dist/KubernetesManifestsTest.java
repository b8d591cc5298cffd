package io.strait.dist;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.strait.config.load.ConfigLoader;
import io.strait.config.model.StraitConfig;
import io.strait.gateway.GatewayFilters;
import io.strait.mesh.config.ControlPlaneConfig;
import io.strait.mesh.config.ControlPlaneConfigReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deploy/: the Kubernetes manifests and the Helm chart, checked without a cluster (none runs here, and helm does not
 * install): yamllint passes; the Strait configs they carry are ones Strait loads; the probes and Services point at
 * ports the containers declare and the configs listen on; the chart's templates use only values its values.yaml has.
 */
class KubernetesManifestsTest {
    private static final Path DEPLOY = Release.REPOSITORY.resolve("deploy");
    private static final Path MANIFESTS = DEPLOY.resolve("kubernetes");
    private static final Path CHART = DEPLOY.resolve("helm/strait");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @TempDir
    Path tmp;

    private static List<JsonNode> documents(Path dir) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                try (var it = YAML.readerFor(JsonNode.class).readValues(Files.readString(f))) {
                    while (it.hasNext()) out.add((JsonNode) it.next());
                }
            }
        }
        return out;
    }

    private static JsonNode find(List<JsonNode> docs, String kind, String name) {
        return docs.stream().filter(d -> d.path("kind").asText().equals(kind) && d.path("metadata").path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    @Test
    void yamllintPasses() throws Exception {
        Process p = new ProcessBuilder("yamllint", "-c", DEPLOY.resolve(".yamllint").toString(), "-f", "parsable",
                MANIFESTS.toString(), CHART.resolve("Chart.yaml").toString(), CHART.resolve("values.yaml").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("yamllint (installed by .ci/run):\n" + out).isZero();
        assertThat(out).isEmpty();
    }

    @Test
    void theGatewaysConfigLoadsAndItsAdminPortIsTheProbesPort() throws Exception {
        List<JsonNode> docs = documents(MANIFESTS);
        StraitConfig manifest = load(find(docs, "ConfigMap", "strait-gateway").path("data").path("gateway.yaml").asText());
        StraitConfig chart = load(YAML.readTree(CHART.resolve("values.yaml").toFile()).path("gateway").path("config").asText());
        for (StraitConfig c : List.of(manifest, chart)) {
            assertThat(c.admin().address().host()).as("the kubelet probes the pod's IP").isEqualTo("0.0.0.0");
            assertThat(c.admin().address().port()).isEqualTo(9901);
            assertThat(c.listeners()).allSatisfy(l -> assertThat(l.address().host()).isEqualTo("0.0.0.0"));
        }
        JsonNode container = find(docs, "Deployment", "strait-gateway").path("spec").path("template").path("spec").path("containers").get(0);
        assertThat(container.path("args").toString()).isEqualTo("[\"gateway\",\"--config\",\"/etc/strait/gateway.yaml\"]");
        assertProbesOnAdmin(container, 9901);
        assertThat(container.path("ports").findValuesAsText("containerPort")).contains(String.valueOf(manifest.listeners().get(0).address().port()));
        assertThat(container.path("volumeMounts").toString()).as("mounted as a directory: kubelet's updates reach the file")
                .contains("\"mountPath\":\"/etc/strait\"").doesNotContain("subPath");
    }

    @Test
    void theControlPlanesConfigLoadsWithItsInjectionWebhook() throws Exception {
        List<JsonNode> docs = documents(MANIFESTS);
        Files.writeString(tmp.resolve("tls.crt"), "");
        Files.writeString(tmp.resolve("tls.key"), "");
        String yaml = find(docs, "ConfigMap", "strait-control-plane").path("data").path("control-plane.yaml").asText()
                .replace("/etc/strait/injection/", tmp + "/");
        ControlPlaneConfig c = ControlPlaneConfigReader.parse(yaml, "control-plane.yaml", tmp);
        assertThat(c.listen().api().port()).isEqualTo(15012);
        assertThat(c.listen().admin().port()).isEqualTo(15014);
        assertThat(c.injection().address().port()).isEqualTo(15017);
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/strait/control-plane"));
        JsonNode statefulSet = find(docs, "StatefulSet", "strait-control-plane");
        JsonNode container = statefulSet.path("spec").path("template").path("spec").path("containers").get(0);
        assertProbesOnAdmin(container, 15014);
        assertThat(container.path("volumeMounts").toString()).contains("{\"name\":\"data\",\"mountPath\":\"/var/lib/strait\"}");
        assertThat(statefulSet.path("spec").path("volumeClaimTemplates").get(0).path("metadata").path("name").asText()).isEqualTo("data");
        JsonNode service = find(docs, "Service", "strait-control-plane");
        assertThat(service.path("spec").path("ports").toString()).contains("{\"name\":\"webhook\",\"port\":443,\"targetPort\":\"webhook\"");

        JsonNode webhook = find(docs, "MutatingWebhookConfiguration", "strait-sidecar-injector");
        for (JsonNode w : webhook.path("webhooks")) {
            assertThat(w.path("clientConfig").path("service").path("path").asText()).isEqualTo("/inject");
            assertThat(w.path("clientConfig").path("service").path("name").asText()).isEqualTo("strait-control-plane");
            assertThat(w.path("admissionReviewVersions").toString()).isEqualTo("[\"v1\"]");
            assertThat(w.path("sideEffects").asText()).isEqualTo("None");
        }
    }

    @Test
    void theChartsTemplatesUseOnlyValuesItDefines() throws Exception {
        JsonNode values = YAML.readTree(CHART.resolve("values.yaml").toFile());
        Pattern ref = Pattern.compile("\\.Values((?:\\.[A-Za-z][A-Za-z0-9]*)+)");
        Set<String> used = new TreeSet<>();
        try (Stream<Path> files = Files.list(CHART.resolve("templates"))) {
            for (Path f : files.toList()) {
                Matcher m = ref.matcher(Files.readString(f));
                while (m.find()) used.add(m.group(1));
            }
        }
        assertThat(used).hasSizeGreaterThan(10);
        for (String path : used) {
            JsonNode n = values;
            for (String part : path.substring(1).split("\\.")) n = n.path(part);
            assertThat(n.isMissingNode()).as(".Values" + path + " is used by a template but not in values.yaml").isFalse();
        }
        JsonNode chart = YAML.readTree(CHART.resolve("Chart.yaml").toFile());
        assertThat(chart.path("apiVersion").asText()).isEqualTo("v2");
        assertThat(chart.path("appVersion").asText()).isEqualTo(Release.version().replace("-SNAPSHOT", ""));
    }

    private static void assertProbesOnAdmin(JsonNode container, int adminPort) {
        JsonNode admin = null;
        for (JsonNode p : container.path("ports")) if (p.path("name").asText().equals("admin")) admin = p;
        assertThat(admin).as("a port named admin").isNotNull();
        assertThat(admin.path("containerPort").asInt()).isEqualTo(adminPort);
        for (String probe : List.of("readinessProbe", "livenessProbe")) {
            assertThat(container.path(probe).path("httpGet").path("path").asText()).isEqualTo("/ready");
            assertThat(container.path(probe).path("httpGet").path("port").asText()).isEqualTo("admin");
        }
    }

    private StraitConfig load(String yaml) throws Exception {
        Path f = Files.createTempFile(tmp, "gateway", ".yaml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f, GatewayFilters.CATALOG);
    }
}
