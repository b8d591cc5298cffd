package io.strait.proxy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Chromium;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.ProxyExtension;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The dashboard on a running proxy's admin API: its endpoints, and the page in headless Chromium showing /metrics' numbers. */
class DashboardTest {
    @RegisterExtension
    final ProxyExtension proxy = ProxyExtension.of("""
            clusters:
              web: {endpoints: [{address: ${b}}]}
            routes:
              - {name: statuses, match: {pathPrefix: /status}, cluster: web}
              - {name: web, match: {pathPrefix: /echo}, cluster: web}
            """).withBackend("b").perTest();

    @Test
    void thePageIsOneDocumentThatLoadsNothingFromElsewhere() {
        for (String path : List.of("/ui", "/ui/")) {
            HttpResponse<String> res = proxy.admin("GET", path);
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(res.headers().firstValue("content-security-policy")).hasValueSatisfying(csp ->
                    assertThat(csp).startsWith("default-src 'none'").contains("connect-src 'self'"));
            assertThat(res.body()).contains("<script>").contains("<style>").doesNotContain("src=\"http").doesNotContain("href=\"http");
        }
    }

    @Test
    void readOnly() {
        for (String path : Dashboard.PATHS) {
            HttpResponse<String> res = proxy.admin("POST", path);
            assertThat(res.statusCode()).as(path).isEqualTo(405);
            assertThat(res.headers().firstValue("allow")).hasValue("GET");
        }
    }

    @Test
    void recentErrorsSayWhoAnsweredAndWhy() {
        assertThat(proxy.get("/status/503").statusCode()).isEqualTo(503);
        assertThat(proxy.get("/nowhere?key=secret").statusCode()).isEqualTo(404);
        assertThat(proxy.get("/echo/fine").statusCode()).isEqualTo(200);
        JsonNode errors = Json.parse(proxy.admin("GET", "/errors").body());
        assertThat(errors.get("total").asLong()).isEqualTo(2);
        JsonNode unrouted = errors.get("errors").get(0); // newest first
        assertThat(unrouted.get("status").asInt()).isEqualTo(404);
        assertThat(unrouted.get("responder").asText()).isEqualTo("strait");
        assertThat(unrouted.get("reason").asText()).isNotEmpty();
        assertThat(unrouted.get("path").asText()).isEqualTo("/nowhere"); // never the query string
        JsonNode upstream = errors.get("errors").get(1);
        assertThat(upstream.get("status").asInt()).isEqualTo(503);
        assertThat(upstream.get("route").asText()).isEqualTo("statuses");
        assertThat(upstream.get("cluster").asText()).isEqualTo("web");
        assertThat(upstream.get("responder").asText()).isEqualTo("upstream");
        assertThat(upstream.get("endpoint").asText()).startsWith("127.0.0.1:");
    }

    @Test
    void theTrafficPanelShowsTheCountsOfMetrics() throws Exception {
        int ok = 37;
        int failed = 3;
        await().atMost(Duration.ofSeconds(10)).until(() -> !history().get("sampledAtEpochMillis").isNull()); // the minute's first reading
        for (int i = 0; i < ok; i++) assertThat(proxy.get("/echo/" + i).statusCode()).isEqualTo(200);
        for (int i = 0; i < failed; i++) assertThat(proxy.get("/status/500").statusCode()).isEqualTo(500);
        Metrics metrics = proxy.metrics();
        assertThat(metrics.sum("strait_requests_total", Map.of("route", "web"))).isEqualTo(ok);
        assertThat(metrics.sum("strait_requests_total", Map.of("route", "statuses", "code_class", "5xx"))).isEqualTo(failed);
        // the sampler reads the registry once a second
        await().atMost(Duration.ofSeconds(10)).until(() -> total(history(), "web") == ok && total(history(), "statuses") == failed + 0L);
        double before = windowSeconds(history());

        Chromium.Page page = Chromium.dumpDom(proxy.adminUri("/ui#traffic").toString(), 3000);
        double after = windowSeconds(history());

        assertThat(page.scriptErrors()).isEmpty();
        assertThat(page.dom()).contains("<div id=\"js-errors\" hidden=\"\"></div>").contains("data-rendered=\"traffic\"");
        String web = row(page.dom(), "traffic-routes", "web");
        assertThat(cell(web, "c-total")).isEqualTo(String.valueOf(ok));
        assertThat(cell(web, "c-window")).isEqualTo(String.valueOf(ok));
        assertThat(cell(web, "c-total-errors")).isEqualTo("0");
        assertThat(cell(web, "c-err")).isEqualTo("0%");
        double rps = Double.parseDouble(cell(web, "c-rps"));
        assertThat(rps).isBetween(ok / (after + 1) - 0.01, ok / Math.max(0.9, before - 1) + 0.01); // 37 over the window the page read (a sampler second may be a little short)
        assertThat(cell(web, "c-p50")).endsWith(" ms");
        String statuses = row(page.dom(), "traffic-routes", "statuses");
        assertThat(cell(statuses, "c-total")).isEqualTo(String.valueOf(failed));
        assertThat(cell(statuses, "c-total-errors")).isEqualTo(String.valueOf(failed));
        assertThat(cell(statuses, "c-err")).isEqualTo("100%");
        String cluster = row(page.dom(), "traffic-clusters", "web");
        assertThat(cell(cluster, "c-total")).isEqualTo(String.valueOf(ok + failed));
        assertThat(cell(cluster, "c-total-errors")).isEqualTo(String.valueOf(failed));
    }

    @Test
    void theOtherPanelsRender() throws Exception {
        assertThat(proxy.get("/status/502").statusCode()).isEqualTo(502);
        Chromium.Page routes = Chromium.dumpDom(proxy.adminUri("/ui#routes").toString(), 2000);
        assertThat(routes.scriptErrors()).isEmpty();
        assertThat(routes.dom()).contains("data-rendered=\"routes\"");
        assertThat(routes.dom().indexOf("<tr data-name=\"statuses\">")).isPositive()
                .isLessThan(routes.dom().indexOf("<tr data-name=\"web\">")); // in the order they are matched
        Chromium.Page clusters = Chromium.dumpDom(proxy.adminUri("/ui#clusters").toString(), 2000);
        assertThat(clusters.scriptErrors()).isEmpty();
        assertThat(clusters.dom()).contains("class=\"card cluster\" data-name=\"web\"").contains("data-endpoint=\"127.0.0.1:");
        Chromium.Page errors = Chromium.dumpDom(proxy.adminUri("/ui#errors").toString(), 2000);
        assertThat(errors.scriptErrors()).isEmpty();
        assertThat(errors.dom()).contains("<td class=\"num bad-text\">502</td>");
        Chromium.Page traces = Chromium.dumpDom(proxy.adminUri("/ui#traces").toString(), 2000);
        assertThat(traces.scriptErrors()).isEmpty();
        // the 502's trace (recent traces are kept by default): listed, and its waterfall drawn from GET /traces/{id}
        JsonNode kept = Json.parse(proxy.admin("GET", "/traces?limit=50").body()).path("traces");
        String id = null;
        for (JsonNode t : kept) if (t.path("error").asBoolean()) id = t.path("traceId").asText();
        assertThat(id).as(kept.toString()).isNotNull();
        assertThat(traces.dom()).contains("data-rendered=\"traces\"").contains("data-trace=\"" + id + "\"");
        Chromium.Page waterfall = Chromium.dumpDom(proxy.adminUri("/ui#traces/" + id).toString(), 2000);
        assertThat(waterfall.scriptErrors()).isEmpty();
        int spans = Json.parse(proxy.admin("GET", "/traces/" + id).body()).path("spans").size();
        assertThat(spans).isGreaterThanOrEqualTo(2); // the server span and the upstream attempt's client span
        assertThat(waterfall.dom()).contains("Trace " + id).contains(spans + " spans");
    }

    private JsonNode history() {
        return Json.parse(proxy.admin("GET", Dashboard.HISTORY).body());
    }

    private static long total(JsonNode history, String route) {
        for (JsonNode r : history.get("routes")) if (r.get("name").asText().equals(route)) return r.get("total").get("requests").asLong();
        return -1;
    }

    private static double windowSeconds(JsonNode history) {
        JsonNode t = history.get("routes").get(0).get("series").get("t");
        return t.isEmpty() ? 0 : (t.get(t.size() - 1).asLong() - t.get(0).asLong()) / 1000.0 + 1; // n intervals of 1 s
    }

    /** The table row of {@code name} in table {@code table}. */
    static String row(String dom, String table, String name) {
        int t = dom.indexOf("<table id=\"" + table + "\"");
        assertThat(t).as("table " + table).isNotNegative();
        int r = dom.indexOf("<tr data-name=\"" + name + "\">", t);
        assertThat(r).as("row " + name + " of " + table).isNotNegative();
        return dom.substring(r, dom.indexOf("</tr>", r));
    }

    static String cell(String row, String cls) {
        Matcher m = Pattern.compile("<td class=\"[^\"]*\\b" + cls + "\\b[^\"]*\"[^>]*>([^<]*)</td>").matcher(row);
        assertThat(m.find()).as(cls + " in " + row).isTrue();
        return m.group(1);
    }
}
