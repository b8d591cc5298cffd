package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.strait.config.model.ObservabilityConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Exports spans to a real HTTP server standing in for an OTLP collector. */
class OtlpExportTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    private record Received(String method, String path, String contentType, byte[] body) {}

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private HttpServer collector;

    @BeforeEach
    void startCollector() throws IOException {
        collector = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        collector.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            received.add(new Received(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Content-Type"), body));
            exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
            exchange.sendResponseHeaders(200, -1); // an empty ExportTraceServiceResponse
            exchange.close();
        });
        collector.start();
    }

    @AfterEach
    void stopCollector() {
        collector.stop(0);
    }

    private Tracing tracing(double ratio) {
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/";
        return Tracing.create(new ObservabilityConfig.Tracing(endpoint, "strait-test", ratio));
    }

    private static ExchangeRecord exchange(String traceId) {
        return new ExchangeRecord(System.currentTimeMillis(), "req-9", "10.0.0.1", "GET", "api.example.com",
                "/api/v1/users/42", "HTTP/1.1", 503, 3_000_000, 2_000_000, 0, 120, "users-route", "users-cluster",
                "127.0.0.1:9001", "curl/8", traceId, "upstream_5xx");
    }

    @Test
    void exportsSampledServerSpansWithTheProxysIds() {
        Tracing tracing = tracing(0.0);
        assertThat(tracing.exporting()).isTrue();
        TraceContext continued = tracing.startServerSpan("00-" + TRACE + "-" + PARENT + "-01");
        TraceContext unsampled = tracing.startServerSpan(null); // ratio 0: not sampled
        tracing.endSpan(continued, exchange(continued.traceId()));
        tracing.endSpan(unsampled, exchange(unsampled.traceId()));
        assertThat(tracing.close(Duration.ofSeconds(10))).isTrue();

        assertThat(received).isNotEmpty();
        Received first = received.get(0);
        assertThat(first.method()).isEqualTo("POST");
        assertThat(first.path()).isEqualTo("/v1/traces");
        assertThat(first.contentType()).isEqualTo("application/x-protobuf");
        byte[] all = concat(received);
        assertThat(indexOf(all, hex(TRACE))).as("trace id").isNotNegative();
        assertThat(indexOf(all, hex(continued.spanId()))).as("span id").isNotNegative();
        assertThat(indexOf(all, hex(PARENT))).as("parent span id").isNotNegative();
        assertThat(indexOf(all, hex(unsampled.traceId()))).as("sampled-out trace").isNegative();
        for (String text : List.of("strait-test", "GET users-route", "http.request.method", "url.path",
                "/api/v1/users/42", "http.route", "http.response.status_code", "server.address", "api.example.com",
                "strait.cluster", "users-cluster", "strait.upstream", "127.0.0.1:9001")) {
            assertThat(indexOf(all, text.getBytes(StandardCharsets.UTF_8))).as(text).isNotNegative();
        }
        assertThat(tracing.failedSpanCount()).isZero();
    }

    @Test
    void exportsNewRootTraces() {
        Tracing tracing = tracing(1.0);
        TraceContext root = tracing.startServerSpan(null);
        tracing.endSpan(root, exchange(root.traceId()));
        assertThat(tracing.close(Duration.ofSeconds(10))).isTrue();

        byte[] all = concat(received);
        assertThat(indexOf(all, hex(root.traceId()))).isNotNegative();
        assertThat(indexOf(all, hex(root.spanId()))).isNotNegative();
    }

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private static byte[] concat(List<Received> requests) {
        var out = new java.io.ByteArrayOutputStream();
        requests.forEach(r -> out.writeBytes(r.body()));
        return out.toByteArray();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) continue outer;
            }
            return i;
        }
        return -1;
    }
}
