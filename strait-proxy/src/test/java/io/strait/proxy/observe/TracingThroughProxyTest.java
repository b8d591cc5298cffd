package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * Through a real proxy: the trace continues upstream, an OTLP collector receives the server span,
 * and the access log line carries the request id and trace id.
 */
class TracingThroughProxyTest {
    @Test
    void spanExportedAndAccessLogged() throws Exception {
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/v1/traces", ex -> {
            bodies.add(ex.getRequestBody().readAllBytes());
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        collector.start();
        Path log = Files.createTempFile("access", ".log");
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     observability:
                       accessLog: {path: ${log}, fields: [requestId, method, path, status, route, traceId]}
                       tracing: {otlpEndpoint: "http://127.0.0.1:${otlp}", serviceName: strait-test}
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
                     """, Map.of("b", b.address(), "log", log.toString(),
                     "otlp", String.valueOf(collector.getAddress().getPort())))) {
            var res = p.send(HttpRequest.newBuilder(p.uri("/echo/traced"))
                    .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01").build());
            assertThat(res.statusCode()).isEqualTo(200);
            String upstream = Json.parse(res.body()).get("headers").get("traceparent").asText();
            assertThat(upstream).startsWith("00-" + traceId + "-").endsWith("-01");
            String requestId = res.headers().firstValue("x-request-id").orElseThrow();

            byte[] id = HexFormat.of().parseHex(traceId);
            await().atMost(Duration.ofSeconds(15)).until(() -> bodies.stream().anyMatch(bb -> contains(bb, id)));
            await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(log).contains(requestId));
            String line = Files.readAllLines(log).stream().filter(l -> l.contains(requestId)).findFirst().orElseThrow();
            var json = Json.parse(line);
            assertThat(json.get("path").asText()).isEqualTo("/echo/traced");
            assertThat(json.get("status").asInt()).isEqualTo(200);
            assertThat(json.get("route").asText()).isEqualTo("web");
            assertThat(json.get("traceId").asText()).isEqualTo(traceId);
        } finally {
            collector.stop(0);
        }
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return true;
        }
        return false;
    }
}
