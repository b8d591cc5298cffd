package io.strait.proxy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.strait.proxy.testing.Chromium;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The service map, workloads and traces panels, drawn from documents shaped exactly as the shared contracts
 * ({@code GET /mesh/graph}, {@code GET /traces}, {@code GET /traces/{id}}), served here as the control plane's
 * admin would, with the page itself.
 */
class DashboardRenderersTest {
    static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String GRAPH = """
            {"windowSeconds":60,"generatedAtEpochMillis":1733450000123,
             "nodes":[{"id":"default/gateway","namespace":"default","service":"gateway","workloads":1,"kind":"gateway"},
                      {"id":"default/orders","namespace":"default","service":"orders","workloads":2,"kind":"service"},
                      {"id":"default/users","namespace":"default","service":"users","workloads":3,"kind":"service"},
                      {"id":"default/payments","namespace":"default","service":"payments","workloads":0,"kind":"unknown"}],
             "edges":[{"source":"default/gateway","destination":"default/orders","requests":90,"errors":2,
                       "requestsPerSecond":1.5,"successRate":0.978,"p50Ms":1.2,"p99Ms":8.0,"mtls":true},
                      {"source":"default/gateway","destination":"default/users","requests":30,"errors":0,
                       "requestsPerSecond":0.5,"successRate":1.0,"p50Ms":0.8,"p99Ms":3.1,"mtls":true},
                      {"source":"default/orders","destination":"default/payments","requests":0,"errors":0,
                       "requestsPerSecond":0.0,"successRate":null,"p50Ms":null,"p99Ms":null,"mtls":false}]}
            """;
    static final String STATUS = """
            {"trustDomain":"cluster.local","workloads":[{"namespace":"default","service":"orders","instanceId":"orders-1",
              "identity":"spiffe://cluster.local/ns/default/sa/orders","address":"127.0.0.1:9001","zone":"",
              "lastSeen":"2026-12-06T00:31:38.016Z","expiresAt":"2026-12-06T00:31:53.016Z","labels":{"app":"orders"}}]}
            """;
    static final String TRACES = """
            {"traces":[{"traceId":"%s","rootName":"GET /api/v1/orders","rootService":"strait-gateway",
              "startEpochMillis":1733450000123,"durationMillis":12.3,"spanCount":4,"services":["strait-gateway","orders"],"error":true}]}
            """.formatted(TRACE);
    static final String SPANS = """
            {"traceId":"%s","spans":[
             {"spanId":"a1","parentSpanId":null,"name":"GET /api/v1/orders","kind":"SERVER","service":"strait-gateway",
              "startEpochNanos":1733450000123000000,"endEpochNanos":1733450000135300000,"durationMillis":12.3,"status":"ERROR",
              "attributes":{"http.request.method":"GET","http.response.status_code":502}},
             {"spanId":"b2","parentSpanId":"a1","name":"GET orders","kind":"CLIENT","service":"strait-gateway",
              "startEpochNanos":1733450000124000000,"endEpochNanos":1733450000130000000,"durationMillis":6.0,"status":"ERROR",
              "attributes":{"http.response.status_code":503}},
             {"spanId":"c3","parentSpanId":"b2","name":"GET /api/v1/orders","kind":"SERVER","service":"orders",
              "startEpochNanos":1733450000125000000,"endEpochNanos":1733450000129000000,"durationMillis":4.0,"status":"OK",
              "attributes":{"http.response.status_code":503}},
             {"spanId":"d4","parentSpanId":"a1","name":"GET orders","kind":"CLIENT","service":"strait-gateway",
              "startEpochNanos":1733450000130500000,"endEpochNanos":1733450000135000000,"durationMillis":4.5,"status":"UNSET",
              "attributes":{}}]}
            """.formatted(TRACE);

    static HttpServer server;
    static String base;

    @BeforeAll
    static void serve() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", x -> {
            try (x) {
                String path = x.getRequestURI().getPath();
                switch (path) {
                    case "/ui" -> send(x, 200, "text/html; charset=utf-8", UiAssets.page());
                    case "/mesh/graph" -> json(x, 200, GRAPH);
                    case "/status" -> json(x, 200, STATUS);
                    case "/traces" -> json(x, 200, TRACES);
                    case "/traces/" + TRACE -> json(x, 200, SPANS);
                    default -> json(x, 404, path.startsWith("/traces/") ? "{\"error\":\"trace_not_found\",\"message\":\"no trace\"}"
                            : "{\"error\":\"not_found\",\"message\":\"no " + path + "\"}");
                }
            }
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    @Test
    void theServiceMapDrawsServicesCallsAndTheirMtls() throws Exception {
        Chromium.Page page = Chromium.dumpDom(base + "/ui#mesh", 2000);
        assertThat(page.scriptErrors()).isEmpty();
        String dom = page.dom();
        assertThat(dom).contains("data-rendered=\"mesh\"").contains("control plane · cluster.local");
        assertThat(count(dom, "<g class=\"node ")).isEqualTo(4);
        assertThat(count(dom, "<g class=\"edge mtls")).isEqualTo(2);
        assertThat(count(dom, "<g class=\"edge plain")).isEqualTo(1);
        assertThat(dom).contains(">1.50 rps · 97.8%<").contains(">p50 1.20 ms · p99 8.00 ms<") // the edge's labels
                .contains(">0.00 rps · –<"); // no request: no success rate
        // the layout is by depth from the callers: gateway, then orders and users, then payments
        assertThat(dom).contains("data-id=\"default/gateway\" transform=\"translate(30,30)\"")
                .contains("data-id=\"default/orders\" transform=\"translate(460,30)\"")
                .contains("data-id=\"default/users\" transform=\"translate(460,140)\"")
                .contains("data-id=\"default/payments\" transform=\"translate(890,30)\"");
        assertThat(dom).contains("<table id=\"mesh-edges\"").contains("<table id=\"workloads\"").contains("orders-1");
        // the control plane has no routes or clusters: only the panels it can fill
        assertThat(dom).contains("data-tab=\"mesh\"").contains("data-tab=\"traces\"").doesNotContain("data-tab=\"routes\"");
    }

    @Test
    void theTraceListAndOneTracesWaterfall() throws Exception {
        Chromium.Page list = Chromium.dumpDom(base + "/ui#traces", 2000);
        assertThat(list.scriptErrors()).isEmpty();
        assertThat(list.dom()).contains("<tr data-trace=\"" + TRACE + "\">").contains("href=\"#traces/" + TRACE + "\"");

        Chromium.Page one = Chromium.dumpDom(base + "/ui#traces/" + TRACE, 2000);
        assertThat(one.scriptErrors()).isEmpty();
        String dom = one.dom();
        assertThat(count(dom, "<div class=\"wf-row\"")).isEqualTo(4);
        // parent before child, children by start: a1, b2, c3 (under b2), d4
        assertThat(dom.indexOf("data-span=\"a1\"")).isLessThan(dom.indexOf("data-span=\"b2\""));
        assertThat(dom.indexOf("data-span=\"b2\"")).isLessThan(dom.indexOf("data-span=\"c3\""));
        assertThat(dom.indexOf("data-span=\"c3\"")).isLessThan(dom.indexOf("data-span=\"d4\""));
        assertThat(count(dom, "class=\"wf-bar error\"")).isEqualTo(2);
        assertThat(dom).contains("left:0.000%;width:100.000%"); // the root spans the trace
        assertThat(dom).contains("padding-left:38px"); // c3 is two levels down

        Chromium.Page gone = Chromium.dumpDom(base + "/ui#traces/0000", 2000);
        assertThat(gone.scriptErrors()).isEmpty();
        assertThat(gone.dom()).contains("Trace 0000 is not (or no longer) kept.");
    }

    private static int count(String s, String what) {
        return (int) Pattern.compile(Pattern.quote(what)).matcher(s).results().count();
    }

    private static void json(HttpExchange x, int status, String body) throws IOException {
        send(x, status, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static void send(HttpExchange x, int status, String type, byte[] body) throws IOException {
        x.getResponseHeaders().set("Content-Type", type);
        x.sendResponseHeaders(status, body.length);
        x.getResponseBody().write(body);
    }
}
