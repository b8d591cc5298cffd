package io.strait.proxy.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A cluster with {@code protocol: h2c}: HTTP/1.1 clients in front, HTTP/2 streams on one connection behind. */
class UpstreamHttp2Test {
    static TestBackend backend;

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            clusters: {grpcish: {endpoints: [{address: ${b}}], protocol: h2c}}
            routes: [{name: r, match: {pathPrefix: /}, cluster: grpcish, timeout: 2s}]
            """).withH2cBackend("b");

    @BeforeAll
    static void backends() {
        backend = proxy.backend("b");
    }

    @Test
    void getAndPostOverH2() {
        HttpResponse<String> get = proxy.get("/echo/x?y=1");
        assertThat(get.statusCode()).isEqualTo(200);
        JsonNode body = Json.parse(get.body());
        assertThat(body.get("uri").asText()).isEqualTo("/echo/x?y=1");
        assertThat(body.get("headers").has("x-forwarded-for")).isTrue();
        assertThat(get.headers().map().keySet()).noneMatch(k -> k.startsWith("x-http2"));
        HttpResponse<String> post = proxy.send(HttpRequest.newBuilder(proxy.uri("/echo"))
                .POST(HttpRequest.BodyPublishers.ofString("z".repeat(300_000))).build());
        assertThat(post.statusCode()).isEqualTo(200);
        assertThat(Json.parse(post.body()).get("bodyBytes").asLong()).isEqualTo(300_000);
    }

    @Test
    void chunkedRequestBodyBecomesDataFrames() throws Exception {
        String res = proxy.raw("POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", 3000);
        assertThat(res).startsWith("HTTP/1.1 200").contains("\"bodyBytes\":11");
    }

    @Test
    void statusAndErrorsPassThrough() {
        assertThat(proxy.get("/status/503").statusCode()).isEqualTo(503);
        assertThat(proxy.get("/reset").statusCode()).isEqualTo(502);
    }

    @Test
    void concurrentRequestsShareOneConnectionPerLoop() {
        int before = backend.connectionCount();
        List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            all.add(proxy.client().sendAsync(HttpRequest.newBuilder(proxy.uri("/delay/50")).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (var f : all) assertThat(f.join().statusCode()).isEqualTo(200);
        int loops = Runtime.getRuntime().availableProcessors();
        assertThat(backend.connectionCount() - before).isLessThanOrEqualTo(loops);
    }
}
