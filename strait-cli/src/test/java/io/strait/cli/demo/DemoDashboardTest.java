package io.strait.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Chromium;
import io.strait.proxy.testing.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard on the demo, as the banner points to it: the gateway's and the control plane's. */
class DemoDashboardTest {
    @TempDir
    Path dir;

    @Test
    void theBannersDashboardsRender() throws Exception {
        try (Demo demo = Demo.start(dir, 0, 0)) {
            Properties env = new Properties();
            try (var r = Files.newBufferedReader(dir.resolve("demo.env"))) {
                env.load(r);
            }
            String admin = env.getProperty("STRAIT_ADMIN_URL");
            String controlPlane = env.getProperty("STRAIT_CONTROL_PLANE_ADMIN_URL");
            assertThat(demo.banner()).contains(admin + "/ui").contains(controlPlane + "/ui");
            HttpClient client = HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> res = client.send(HttpRequest.newBuilder(URI.create(env.getProperty("STRAIT_GATEWAY_URL") + "/api/v1/orders"))
                        .header("X-API-Key", env.getProperty("STRAIT_DEMO_API_KEY")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).isEqualTo(200);
            }

            Chromium.Page routes = Chromium.dumpDom(admin + "/ui#routes", 2000);
            assertThat(routes.scriptErrors()).isEmpty();
            String users = routes.dom().substring(routes.dom().indexOf("<tr data-name=\"users\">"));
            users = users.substring(0, users.indexOf("</tr>"));
            assertThat(users).containsSubsequence(">cors<", ">auth<", ">rateLimit<", ">headers<", ">version<"); // in the route's order

            Chromium.Page clusters = Chromium.dumpDom(admin + "/ui#clusters", 2000);
            assertThat(clusters.scriptErrors()).isEmpty();
            assertThat(clusters.dom()).contains("data-name=\"orders\"").contains("2/2 healthy");

            Chromium.Page traffic = Chromium.dumpDom(admin + "/ui#traffic", 3000);
            assertThat(traffic.scriptErrors()).isEmpty();
            assertThat(traffic.dom()).contains("<table id=\"traffic-routes\"").contains("<tr data-name=\"orders\">");

            Chromium.Page mesh = Chromium.dumpDom(controlPlane + "/ui#mesh", 2000);
            assertThat(mesh.scriptErrors()).isEmpty();
            assertThat(mesh.dom()).contains("control plane · cluster.local").contains("<table id=\"workloads\"")
                    .contains("spiffe://cluster.local/ns/default/sa/orders");

            // the service map from the sidecars' real reports: the gateway's calls to orders, over mTLS
            await().atMost(Duration.ofSeconds(30)).until(() -> edge(client, controlPlane, "default/gateway", "default/orders") != null);
            JsonNode edge = edge(client, controlPlane, "default/gateway", "default/orders");
            assertThat(edge.path("mtls").asBoolean()).isTrue();
            assertThat(edge.path("requests").asLong()).isGreaterThanOrEqualTo(3);
            Chromium.Page map = Chromium.dumpDom(controlPlane + "/ui#mesh", 2000);
            assertThat(map.scriptErrors()).isEmpty();
            assertThat(map.dom()).contains("class=\"edge mtls\" data-source=\"default/gateway\" data-destination=\"default/orders\"");

            // a request's latency across its hops: the control plane holds the gateway's and the orders sidecar's spans
            await().atMost(Duration.ofSeconds(20)).until(() -> acrossHops(client, controlPlane) != null);
            JsonNode trace = acrossHops(client, controlPlane);
            String id = trace.path("traceId").asText();
            Chromium.Page waterfall = Chromium.dumpDom(controlPlane + "/ui#traces/" + id, 2000);
            assertThat(waterfall.scriptErrors()).isEmpty();
            assertThat(waterfall.dom()).contains("Trace " + id).contains(trace.path("spanCount").asInt() + " spans").contains("orders");
        }
    }

    /** The mesh graph's edge from {@code source} to {@code destination}, or null. */
    private static JsonNode edge(HttpClient client, String controlPlane, String source, String destination) throws Exception {
        JsonNode graph = Json.parse(client.send(HttpRequest.newBuilder(URI.create(controlPlane + "/mesh/graph")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode e : graph.path("edges")) {
            if (e.path("source").asText().equals(source) && e.path("destination").asText().equals(destination)) return e;
        }
        return null;
    }

    /** A trace at the control plane with spans of the gateway and of the orders sidecar, or null. */
    private static JsonNode acrossHops(HttpClient client, String controlPlane) throws Exception {
        JsonNode traces = Json.parse(client.send(HttpRequest.newBuilder(URI.create(controlPlane + "/traces?limit=100")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode t : traces.path("traces")) {
            if (t.path("services").size() >= 2 && t.path("services").toString().contains("\"orders\"")) return t;
        }
        return null;
    }
}
