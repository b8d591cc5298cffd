package io.strait.filters.transform;

import static io.strait.filters.transform.TransformProxyTest.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.HttpMethod;
import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.ProxyFixture;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * JSON bodies through a real proxy and backend: every operation on request and response bodies, {@code Content-Length}
 * set again, gzip responses decoded and encoded again, other encodings and non-JSON bodies untouched, bodies over
 * {@code maxSize} (413; a response passed or refused), a gzip bomb stopped at the limit, invalid JSON.
 */
class TransformBodyProxyTest {
    private static final String CONFIG = """
            clusters:
              c: {endpoints: [{address: "127.0.0.1:${port}"}]}
            routes:
              - name: body
                match: {pathPrefix: /body}
                cluster: c
                filters:
                  - transform:
                      request:
                        body: {maxSize: 1KiB, remove: [/password], rename: {/userName: /username}, replace: {/role: user, /absent: x},
                               add: {/meta/source: "%route%", /id: "1", /flags: "[1, true]"}, append: {/tags: gateway}}
                      response:
                        body: {maxSize: 4KiB, remove: [/internal], rename: {/userName: /username}, replace: {/status: active},
                               add: {/meta/route: "%route%", /a~1b: "%query.v%"}, append: {/tags: strait}}
              - name: strict
                match: {pathPrefix: /strict}
                cluster: c
                filters:
                  - transform: {response: {body: {maxSize: 1KiB, overLimit: reject, add: {/seen: "true"}}}}
            """;

    /** One request with a body over HTTP/1.1 (the JDK client) or HTTP/2 (h2c). */
    enum Wire {
        HTTP1, HTTP2;

        record Reply(int status, Map<String, String> headers, String body) {}

        Reply send(ProxyFixture proxy, String method, String path, String contentType, String body) throws Exception {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (this == HTTP1) {
                HttpRequest.Builder b = HttpRequest.newBuilder(proxy.uri(path)).method(method, HttpRequest.BodyPublishers.ofByteArray(bytes));
                if (contentType != null) b.header("Content-Type", contentType);
                HttpResponse<String> r = proxy.send(b.build());
                Map<String, String> h = new java.util.TreeMap<>();
                r.headers().map().forEach((k, v) -> h.put(k.toLowerCase(), String.join(",", v)));
                return new Reply(r.statusCode(), h, r.body());
            }
            try (H2Client c = new H2Client("127.0.0.1", proxy.port())) {
                Map<String, String> headers = contentType == null ? Map.of() : Map.of("content-type", contentType);
                H2Client.Response r = c.request(HttpMethod.valueOf(method), path, headers, bytes).get(10, TimeUnit.SECONDS);
                Map<String, String> h = new java.util.TreeMap<>();
                for (String name : r.headers().names()) h.put(name.toLowerCase(), String.join(",", r.headers().getAll(name)));
                return new Reply(r.status(), h, r.body());
            }
        }
    }

    private static ProxyFixture start(JsonBackend backend) throws Exception {
        return TransformProxyTest.start(CONFIG, backend);
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void everyOperationChangesAJsonRequestBodyAndItsLength(Wire wire) throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(backend)) {
            var r = wire.send(proxy, "POST", "/body", "application/json; charset=utf-8",
                    "{\"userName\":\"ann\",\"password\":\"s3cret\",\"role\":\"admin\",\"tags\":[\"a\"],\"id\":7}");
            assertThat(r.status()).isEqualTo(200);
            JsonBackend.Received got = backend.last();
            assertThat(json(got.text())).isEqualTo(json(
                    "{\"username\":\"ann\",\"role\":\"user\",\"tags\":[\"a\",\"gateway\"],\"id\":7,\"meta\":{\"source\":\"body\"},\"flags\":[1,true]}"));
            assertThat(got.header("Content-Length")).isEqualTo("" + got.body().length);
            // a vendor JSON type is JSON too; append makes a missing member a list
            wire.send(proxy, "PUT", "/body", "application/vnd.acme.user+json", "{\"role\":\"admin\",\"id\":\"x\"}");
            assertThat(json(backend.last().text())).isEqualTo(json(
                    "{\"role\":\"user\",\"id\":\"x\",\"meta\":{\"source\":\"body\"},\"flags\":[1,true],\"tags\":[\"gateway\"]}"));
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void nonJsonRequestBodiesPassUntouchedAndInvalidJsonIsA400(Wire wire) throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(backend)) {
            String form = "{\"password\":\"kept\"}";
            assertThat(wire.send(proxy, "POST", "/body", "text/plain", form).status()).isEqualTo(200);
            assertThat(backend.last().text()).isEqualTo(form);
            assertThat(wire.send(proxy, "POST", "/body", null, form).status()).isEqualTo(200);
            assertThat(backend.last().text()).isEqualTo(form);
            int before = backend.received().size();
            var bad = wire.send(proxy, "POST", "/body", "application/json", "{\"password\": oops}");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.headers().get("content-type")).startsWith("application/json");
            var err = json(bad.body());
            assertThat(err.path("error").asText()).isEqualTo("invalid_json");
            assertThat(err.path("message").asText()).startsWith("the request body is not valid JSON: ").contains("line 1");
            assertThat(err.path("requestId").asText()).isNotEmpty();
            // trailing data after the document is not JSON either
            assertThat(wire.send(proxy, "POST", "/body", "application/json", "{} {}").status()).isEqualTo(400);
            assertThat(backend.received()).hasSize(before);
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aRequestBodyOverMaxSizeIsA413(Wire wire) throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(backend)) {
            String big = "{\"pad\":\"" + "x".repeat(2000) + "\"}";
            var r = wire.send(proxy, "POST", "/body", "application/json", big);
            assertThat(r.status()).isEqualTo(413);
            assertThat(json(r.body()).path("error").asText()).isEqualTo("payload_too_large");
            assertThat(backend.received()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void everyOperationChangesAJsonResponseBody(Wire wire) throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(backend)) {
            backend.reply("/body/user", 200, Map.of("Content-Type", "application/json", "ETag", "\"v1\""),
                    "{\"userName\":\"ann\",\"internal\":{\"x\":1},\"status\":\"new\",\"tags\":[\"a\"]}".getBytes());
            var r = wire.send(proxy, "GET", "/body/user?v=%E2%9C%93", null, "");
            assertThat(r.status()).isEqualTo(200);
            assertThat(json(r.body())).isEqualTo(json(
                    "{\"username\":\"ann\",\"status\":\"active\",\"tags\":[\"a\",\"strait\"],\"meta\":{\"route\":\"body\"},\"a/b\":\"\u2713\"}"));
            assertThat(r.headers().get("content-length")).isEqualTo("" + r.body().getBytes(StandardCharsets.UTF_8).length);
            assertThat(r.headers().get("etag")).isEqualTo("W/\"v1\"");
        }
    }

    @Test
    void aGzipResponseIsDecodedChangedAndEncodedAgain() throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(backend)) {
            backend.reply("/body/gz", 200, Map.of("Content-Type", "application/json", "Content-Encoding", "gzip"),
                    JsonBackend.gzip("{\"userName\":\"ann\",\"internal\":true}".getBytes()));
            HttpResponse<byte[]> r = getBytes(proxy, "/body/gz");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.headers().firstValue("content-encoding")).hasValue("gzip");
            assertThat(r.headers().firstValue("content-length")).hasValue("" + r.body().length);
            assertThat(json(gunzip(r.body()))).isEqualTo(json("{\"username\":\"ann\",\"tags\":[\"strait\"],\"meta\":{\"route\":\"body\"}}"));
        }
    }

    @Test
    void otherEncodingsNonJsonInvalidJsonAndLongResponsesPassUnchanged() throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(backend)) {
            byte[] br = {0x0b, 0x02, (byte) 0x80, 0x7b, 0x7d, 0x03}; // brotli-looking bytes: never decoded
            backend.reply("/body/br", 200, Map.of("Content-Type", "application/json", "Content-Encoding", "br"), br);
            backend.reply("/body/html", 200, Map.of("Content-Type", "text/html"), "<p>{\"internal\":1}</p>".getBytes());
            backend.reply("/body/bad", 200, Map.of("Content-Type", "application/json"), "{\"internal\": nope".getBytes());
            byte[] longJson = ("{\"internal\":\"" + "y".repeat(5000) + "\"}").getBytes();
            backend.reply("/body/long", 200, Map.of("Content-Type", "application/json"), longJson);
            assertThat(getBytes(proxy, "/body/br").body()).isEqualTo(br);
            assertThat(getBytes(proxy, "/body/html").body()).isEqualTo("<p>{\"internal\":1}</p>".getBytes());
            HttpResponse<byte[]> bad = getBytes(proxy, "/body/bad");
            assertThat(bad.statusCode()).isEqualTo(200);
            assertThat(bad.body()).isEqualTo("{\"internal\": nope".getBytes());
            HttpResponse<byte[]> longOne = getBytes(proxy, "/body/long");
            assertThat(longOne.statusCode()).isEqualTo(200);
            assertThat(longOne.body()).isEqualTo(longJson);
        }
    }

    @Test
    void aGzipBombStopsAtMaxSizeAndPassesOrIsRefused() throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = start(backend)) {
            // 512 KiB of JSON in about half a KiB of gzip: within maxSize as it comes, far over it decoded
            byte[] small = JsonBackend.gzip(("{\"pad\":\"" + "0".repeat(512 * 1024) + "\"}").getBytes());
            assertThat(small.length).isLessThan(1024);
            backend.reply("/body/bomb", 200, Map.of("Content-Type", "application/json", "Content-Encoding", "gzip"), small);
            backend.reply("/strict/bomb", 200, Map.of("Content-Type", "application/json", "Content-Encoding", "gzip"), small);
            // within maxSize gzipped, over it decoded: relayed as it came
            HttpResponse<byte[]> passed = getBytes(proxy, "/body/bomb");
            assertThat(passed.statusCode()).isEqualTo(200);
            assertThat(passed.body()).isEqualTo(small);
            // overLimit: reject: a 502 with the JSON error
            HttpResponse<byte[]> refused = getBytes(proxy, "/strict/bomb");
            assertThat(refused.statusCode()).isEqualTo(502);
            assertThat(refused.headers().firstValue("content-encoding")).isEmpty();
            var err = json(new String(refused.body(), StandardCharsets.UTF_8));
            assertThat(err.path("error").asText()).isEqualTo("response_too_large");
            assertThat(err.path("message").asText()).contains("1024 bytes").contains("route strict");
            // a long plain response on a refusing route: the engine's 502
            backend.reply("/strict/long", 200, Map.of("Content-Type", "application/json"), ("{\"p\":\"" + "z".repeat(2000) + "\"}").getBytes());
            assertThat(getBytes(proxy, "/strict/long").statusCode()).isEqualTo(502);
            // and within the limit, the strict route changes the body (a JSON literal: true, not "true")
            backend.replyJson("/strict/ok", "{\"a\":1}");
            assertThat(json(new String(getBytes(proxy, "/strict/ok").body()))).isEqualTo(json("{\"a\":1,\"seen\":true}"));
        }
    }

    @ParameterizedTest
    @EnumSource(Wire.class)
    void aListenersTransformChangesResponseBodiesOfEveryRoute(Wire wire) throws Exception {
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = TransformProxyTest.start("""
                listeners:
                  - name: public
                    address: 127.0.0.1:0
                    filters:
                      - transform: {request: {headers: {add: {X-Edge: "1"}}}, response: {body: {add: {/edge: "%route%"}}}}
                clusters:
                  c: {endpoints: [{address: "127.0.0.1:${port}"}]}
                routes:
                  - {name: app, match: {pathPrefix: /app}, cluster: c}
                """, backend)) {
            backend.replyJson("/app/x", "{\"a\":1}");
            var r = wire.send(proxy, "GET", "/app/x", null, "");
            assertThat(json(r.body())).isEqualTo(json("{\"a\":1,\"edge\":\"app\"}"));
            assertThat(backend.last().header("X-Edge")).isEqualTo("1");
        }
    }

    @Test
    void bodiesLeftAsTheyCameAreCountedInMetrics() throws Exception {
        io.strait.proxy.filter.FilterModule module = new io.strait.proxy.filter.FilterModule() {
            @Override
            public java.util.List<io.strait.proxy.filter.FilterFactory<?>> factories() {
                return io.strait.filters.StandardFilters.factories();
            }

            @Override
            public void registerMetrics(io.prometheus.metrics.model.registry.PrometheusRegistry registry) {
                TransformMetrics.registerMetrics(registry);
            }
        };
        try (JsonBackend backend = new JsonBackend(); ProxyFixture proxy = ProxyFixture.start("""
                clusters:
                  c: {endpoints: [{address: "127.0.0.1:${port}"}]}
                routes:
                  - name: metered
                    match: {pathPrefix: /m}
                    cluster: c
                    filters:
                      - transform: {response: {body: {add: {/seen: "1"}}}}
                """, Map.of("port", "" + backend.port()), module)) {
            backend.reply("/m/bad", 200, Map.of("Content-Type", "application/json"), "{\"a\": nope".getBytes());
            backend.reply("/m/br", 200, Map.of("Content-Type", "application/json", "Content-Encoding", "br"), new byte[] {1, 2, 3});
            backend.replyJson("/m/ok", "{}");
            for (String path : List.of("/m/bad", "/m/bad", "/m/br", "/m/ok")) assertThat(getBytes(proxy, path).statusCode()).isEqualTo(200);
            String metrics = proxy.admin("GET", "/metrics").body();
            assertThat(metrics).contains("strait_transform_bodies_total{result=\"response_invalid_json\",route=\"metered\"} 2")
                    .contains("strait_transform_bodies_total{result=\"response_encoded\",route=\"metered\"} 1")
                    .contains("strait_transform_bodies_total{result=\"response_changed\",route=\"metered\"} 1");
        }
    }

    private static HttpResponse<byte[]> getBytes(ProxyFixture proxy, String path) throws Exception {
        return proxy.client().send(HttpRequest.newBuilder(proxy.uri(path)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String gunzip(byte[] gz) throws Exception {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
