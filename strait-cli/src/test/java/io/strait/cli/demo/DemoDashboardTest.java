package io.strait.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.Chromium;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
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
        }
    }
}
