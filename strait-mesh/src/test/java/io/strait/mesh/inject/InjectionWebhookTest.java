package io.strait.mesh.inject;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.proxy.testing.TestCerts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The injection webhook over HTTPS, as the Kubernetes API server calls it: a real AdmissionReview v1 of a Pod the
 * ReplicaSet controller creates (inject/admission-review.json), answered with a JSONPatch that, applied to the Pod,
 * gives the Pod {@link SidecarInjector} makes.
 */
class InjectionWebhookTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final InjectSettings SETTINGS = new InjectSettings("strait:0.1.0", null, null, null);

    @TempDir
    static Path dir;
    static InjectionWebhook webhook;
    static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        TestCerts.Ca ca = new TestCerts(dir).ca("webhook-ca");
        TestCerts.Issued cert = ca.server("strait-control-plane", "strait-control-plane.strait-system.svc", "localhost");
        webhook = InjectionWebhook.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), cert.certFile(), cert.keyFile(),
                new AdmissionReviews(new SidecarInjector(SETTINGS)));
        client = HttpClient.newBuilder().sslContext(ca.clientContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stop() {
        if (webhook != null) webhook.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + webhook.port() + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersAPodsAdmissionReviewWithTheSidecarAsAJsonPatch() throws Exception {
        String review = ManifestInjectorTest.resource("admission-review.json");
        HttpResponse<String> r = post("/inject", review);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(r.body());
        assertThat(answer.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1");
        assertThat(answer.path("kind").asText()).isEqualTo("AdmissionReview");
        JsonNode response = answer.path("response");
        assertThat(response.path("uid").asText()).isEqualTo("705ab4f5-6393-11e8-b7cc-42010a800002");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.path("patchType").asText()).isEqualTo("JSONPatch");
        ArrayNode patch = (ArrayNode) JSON.readTree(Base64.getDecoder().decode(response.path("patch").asText()));
        assertThat(patch.findValuesAsText("path")).containsExactlyInAnyOrder(
                "/metadata/annotations", "/spec/containers", "/spec/initContainers", "/spec/volumes");

        ObjectNode pod = (ObjectNode) JSON.readTree(review).path("request").path("object");
        ObjectNode expected = pod.deepCopy();
        new SidecarInjector(SETTINGS).inject(expected);
        assertThat(apply(pod, patch)).isEqualTo(expected);
        assertThat(expected.path("spec").path("initContainers").get(0).path("command").get(2).asText())
                .contains("service: orders").contains("appPort: 8080").contains("\"app\": \"orders\"");
    }

    @Test
    void aPodWithTheSidecarAlreadyIsAllowedUnchanged() throws Exception {
        ObjectNode review = (ObjectNode) JSON.readTree(ManifestInjectorTest.resource("admission-review.json"));
        new SidecarInjector(SETTINGS).inject(review.path("request").path("object"));
        JsonNode response = JSON.readTree(post("/inject", review.toString()).body()).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
    }

    @Test
    void aPodThatCannotBeInjectedIsAllowedWithAWarning() throws Exception {
        ObjectNode review = (ObjectNode) JSON.readTree(ManifestInjectorTest.resource("admission-review.json"));
        ((ObjectNode) review.path("request").path("object").path("spec").path("containers").get(0)).remove("ports");
        JsonNode response = JSON.readTree(post("/inject", review.toString()).body()).path("response");
        assertThat(response.path("allowed").asBoolean()).isTrue();
        assertThat(response.has("patch")).isFalse();
        assertThat(response.path("warnings").get(0).asText()).isEqualTo(
                "strait: sidecar not injected: pod/orders-7d9c8b6f5d-: its first container declares no containerPort; set the annotation strait.io/app-port");
    }

    @Test
    void badRequestsAreStructuredErrors() throws Exception {
        HttpResponse<String> notJson = post("/inject", "{nope");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).startsWith("{\"error\":\"bad_request\",\"message\":\"the body is not JSON");
        assertThat(post("/inject", "{\"kind\":\"Pod\"}").body()).contains("expected an AdmissionReview (admission.k8s.io/v1) with a request");
        HttpResponse<String> get = client.send(HttpRequest.newBuilder(URI.create("https://localhost:" + webhook.port() + "/inject")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(post("/mutate", "{}").statusCode()).isEqualTo(404);
    }

    /** RFC 6902 add and replace of an object's member, the two operations the webhook sends. */
    private static JsonNode apply(ObjectNode target, ArrayNode patch) {
        ObjectNode doc = target.deepCopy();
        for (JsonNode op : patch) {
            assertThat(op.path("op").asText()).isIn("add", "replace");
            String[] parts = op.path("path").asText().substring(1).split("/");
            ObjectNode parent = doc;
            for (int i = 0; i < parts.length - 1; i++) parent = (ObjectNode) parent.get(unescape(parts[i]));
            String key = unescape(parts[parts.length - 1]);
            assertThat(parent.has(key)).as(op.toString()).isEqualTo(op.path("op").asText().equals("replace"));
            parent.set(key, op.get("value"));
        }
        return doc;
    }

    private static String unescape(String token) {
        return token.replace("~1", "/").replace("~0", "~");
    }
}
