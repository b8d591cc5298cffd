package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.ObservabilityConfig;
import io.strait.proxy.observe.trace.SpanSinks;
import io.strait.proxy.testing.OtlpReceiver;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Exports spans to a real OTLP/HTTP receiver standing in for a collector ({@link OtlpReceiver} decodes the
 * protobuf the exporter sends): the endpoint rules of the OpenTelemetry specification, headers and the
 * standard {@code OTEL_*} variables.
 */
class OtlpExportTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00f067aa0ba902b7";

    private OtlpReceiver collector;

    @BeforeEach
    void startCollector() throws Exception {
        collector = new OtlpReceiver();
    }

    @AfterEach
    void stopCollector() {
        if (collector != null) collector.close();
    }

    private static Tracing tracing(String endpoint, String service, Map<String, String> headers, Map<String, String> env) {
        return Tracing.create(new ObservabilityConfig.Tracing(endpoint, service, null, headers, 0), env, new SpanSinks());
    }

    private static ExchangeRecord exchange(String traceId) {
        return new ExchangeRecord(System.currentTimeMillis(), "req-9", "10.0.0.1", "GET", "api.example.com",
                "/api/v1/users/42", "HTTP/1.1", 503, 3_000_000, 2_000_000, 0, 120, "users-route", "users-cluster",
                "127.0.0.1:9001", "curl/8", traceId, "upstream_5xx");
    }

    /** One server span and one client span under it, exported and flushed. */
    private static TraceContext exportOne(Tracing tracing) {
        TraceContext ctx = tracing.startServerSpan("00-" + TRACE + "-" + PARENT + "-01");
        long now = System.currentTimeMillis() * 1_000_000;
        tracing.endClientSpan(ctx, tracing.newSpanId(), "GET", "users-cluster", "127.0.0.1:9001", 1, now, now + 1_000_000, 503, null);
        tracing.endServerSpan(ctx, exchange(ctx.traceId()));
        assertThat(tracing.close(Duration.ofSeconds(10))).isTrue();
        return ctx;
    }

    @Test
    void aConfiguredEndpointWithThePathIsUsedAsGivenNotDoubled() {
        // the form docs/configuration.md has always shown: spans used to go to /v1/traces/v1/traces
        Tracing tracing = tracing(collector.base() + "/v1/traces", "strait-test", Map.of(), Map.of());
        assertThat(tracing.exportEndpoint()).isEqualTo(collector.base() + "/v1/traces");
        TraceContext ctx = exportOne(tracing);

        assertThat(collector.exports()).isNotEmpty().allSatisfy(e -> {
            assertThat(e.path()).isEqualTo("/v1/traces");
            assertThat(e.headers().get("content-type")).isEqualTo("application/x-protobuf");
        });
        assertThat(collector.spans()).hasSize(2);
        OtlpReceiver.Span server = collector.spans().stream().filter(s -> s.kind() == OtlpReceiver.KIND_SERVER).findFirst().orElseThrow();
        OtlpReceiver.Span client = collector.spans().stream().filter(s -> s.kind() == OtlpReceiver.KIND_CLIENT).findFirst().orElseThrow();
        assertThat(server.traceId()).isEqualTo(TRACE);
        assertThat(server.spanId()).isEqualTo(ctx.spanId());
        assertThat(server.parentSpanId()).isEqualTo(PARENT);
        assertThat(server.service()).isEqualTo("strait-test");
        assertThat(server.name()).isEqualTo("GET users-route");
        assertThat(server.statusCode()).as("ERROR").isEqualTo(2);
        assertThat(server.attributes()).containsEntry("http.request.method", "GET").containsEntry("url.path", "/api/v1/users/42")
                .containsEntry("http.route", "users-route").containsEntry("http.response.status_code", 503L)
                .containsEntry("strait.cluster", "users-cluster").containsEntry("strait.upstream", "127.0.0.1:9001");
        assertThat(client.parentSpanId()).isEqualTo(ctx.spanId());
        assertThat(client.attributes()).containsEntry("strait.attempt", 1L).containsEntry("server.port", 9001L);
    }

    @Test
    void aConfiguredBaseUrlGetsTheTracesPath() {
        exportOne(tracing(collector.base(), "strait-test", Map.of(), Map.of()));
        assertThat(collector.exports()).isNotEmpty().allSatisfy(e -> assertThat(e.path()).isEqualTo("/v1/traces"));
        exportOne(tracing(collector.base() + "/", "strait-test", Map.of(), Map.of()));
        assertThat(collector.exports()).allSatisfy(e -> assertThat(e.path()).isEqualTo("/v1/traces"));
    }

    @Test
    void theEnvironmentsEndpointsFollowTheSpecification() {
        // OTEL_EXPORTER_OTLP_ENDPOINT is a base: the signal's path is appended, after any path it has
        exportOne(tracing(null, null, Map.of(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.base() + "/otlp/")));
        assertThat(collector.exports()).isNotEmpty().allSatisfy(e -> assertThat(e.path()).isEqualTo("/otlp/v1/traces"));
        int before = collector.exports().size();
        // OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is the whole URL, and wins over the general one
        exportOne(tracing(null, null, Map.of(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:1",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", collector.base() + "/custom/traces")));
        assertThat(collector.exports().subList(before, collector.exports().size()))
                .isNotEmpty().allSatisfy(e -> assertThat(e.path()).isEqualTo("/custom/traces"));
        // the config's endpoint wins over the environment's
        Tracing configured = tracing(collector.base(), null, Map.of(), Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://127.0.0.1:1/x"));
        assertThat(configured.exportEndpoint()).isEqualTo(collector.base() + "/v1/traces");
        configured.close();
    }

    @Test
    void headersFromTheConfigAndTheEnvironmentAreSent() {
        exportOne(tracing(collector.base(), null, Map.of("X-Team-Key", "from-config"), Map.of(
                "OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20general,x-team-key=from-env",
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "x-tenant=acme")));
        assertThat(collector.exports()).isNotEmpty().allSatisfy(e -> {
            assertThat(e.headers()).containsEntry("authorization", "Bearer general").containsEntry("x-tenant", "acme")
                    .containsEntry("x-team-key", "from-config");
        });
    }

    @Test
    void serviceNameAndResourceFromTheEnvironmentWhenTheConfigSetsNone() {
        exportOne(tracing(collector.base(), null, Map.of(), Map.of("OTEL_RESOURCE_ATTRIBUTES",
                "service.name=from-resource,deployment.environment=prod")));
        assertThat(collector.spans()).isNotEmpty().allSatisfy(s -> assertThat(s.service()).isEqualTo("from-resource"));
        collector.close();
        collector = null;
        try (OtlpReceiver second = new OtlpReceiver()) {
            exportOne(tracing(second.base(), null, Map.of(), Map.of("OTEL_SERVICE_NAME", "from-env",
                    "OTEL_RESOURCE_ATTRIBUTES", "service.name=from-resource")));
            assertThat(second.spans()).isNotEmpty().allSatisfy(s -> assertThat(s.service()).isEqualTo("from-env"));
            exportOne(tracing(second.base(), "from-config", Map.of(), Map.of("OTEL_SERVICE_NAME", "from-env")));
            assertThat(second.spans()).anySatisfy(s -> assertThat(s.service()).isEqualTo("from-config"));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void anEnvironmentEndpointThatIsNoUrlRefusesTheStartByName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tracing(null, null, Map.of(),
                        Map.of("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "collector:4318")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tracing: the OTLP endpoint 'collector:4318' is not a URL");
    }

    @Test
    void otelSdkDisabledStopsTheExportWhateverTheConfigSays() {
        Tracing tracing = tracing(collector.base(), null, Map.of(), Map.of("OTEL_SDK_DISABLED", "true"));
        assertThat(tracing.exporting()).isFalse();
        assertThat(tracing(null, null, Map.of(), Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", collector.base(),
                "OTEL_TRACES_EXPORTER", "none")).exporting()).isFalse();
    }
}
