package io.strait.proxy.listener;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.MemorySampler;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.Stall;
import io.strait.proxy.testing.ProxyExtension;
import io.strait.proxy.testing.TestBackend;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** HTTP/2 with prior knowledge (h2c) from clients, HTTP/1.1 to the upstream. */
class Http2DownstreamTest {
    static TestBackend backend;
    H2Client h2;

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.of("""
            clusters:
              web: {endpoints: [{address: ${h2b}}]}
              dead: {endpoints: [{address: 127.0.0.1:${dead}}]}
            routes:
              - {name: dead, match: {pathPrefix: /dead}, cluster: dead}
              - {name: web, match: {pathPrefix: /echo}, cluster: web}
              - {name: more, match: {pathPrefix: /delay}, cluster: web}
              - {name: status, match: {pathPrefix: /status}, cluster: web}
              - {name: bytes, match: {pathPrefix: /bytes}, cluster: web}
              - {name: sse, match: {pathPrefix: /sse}, cluster: web}
            """).withBackend("h2b").refusedPort("dead");

    @BeforeAll
    static void backends() {
        backend = proxy.backend("h2b");
    }

    @BeforeEach
    void connect() throws Exception {
        h2 = new H2Client("127.0.0.1", proxy.port());
    }

    @AfterEach
    void disconnect() {
        h2.close();
    }

    @Test
    void getIsForwardedAsHttp11WithAuthorityAsHost() throws Exception {
        H2Client.Response res = h2.get("/echo/h2?x=1").get(5, TimeUnit.SECONDS);
        assertThat(res.status()).isEqualTo(200);
        JsonNode body = Json.parse(res.body());
        assertThat(body.get("uri").asText()).isEqualTo("/echo/h2?x=1");
        assertThat(body.get("method").asText()).isEqualTo("GET");
        JsonNode h = body.get("headers");
        assertThat(h.get("host").asText()).isEqualTo(h2.authority());
        assertThat(h.get("x-forwarded-proto").asText()).isEqualTo("http");
        assertThat(h.get("x-forwarded-for").asText()).isEqualTo("127.0.0.1");
        h.fieldNames().forEachRemaining(name -> {
            assertThat(name).doesNotStartWith(":").doesNotStartWith("x-http2-");
        });
        assertThat(res.headers().get("x-request-id")).isEqualTo(h.get("x-request-id").asText());
    }

    /** The upstream sees the same header names whether the client spoke HTTP/1.1 or HTTP/2. */
    @Test
    void upstreamHeadersAreTheSameAsOverHttp11() throws Exception {
        Map<String, String> extra = Map.of("x-custom", "a", "user-agent", "same-agent", "accept", "*/*");
        H2Client.Response viaH2 = h2.request(HttpMethod.GET, "/echo/same", extra, null).get(5, TimeUnit.SECONDS);
        StringBuilder raw = new StringBuilder("GET /echo/same HTTP/1.1\r\nHost: " + h2.authority() + "\r\n");
        extra.forEach((k, v) -> raw.append(k).append(": ").append(v).append("\r\n"));
        String viaH1;
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.getOutputStream().write(raw.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            HttpHead head = HttpHead.read(s.getInputStream());
            viaH1 = new String(s.getInputStream().readNBytes((int) head.contentLength()), StandardCharsets.UTF_8);
        }
        JsonNode h2Headers = Json.parse(viaH2.body()).get("headers");
        JsonNode h1Headers = Json.parse(viaH1).get("headers");
        assertThat(names(h2Headers)).isEqualTo(names(h1Headers));
        for (String same : List.of("host", "x-custom", "user-agent", "accept", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host")) {
            assertThat(h2Headers.get(same).asText()).as(same).isEqualTo(h1Headers.get(same).asText());
        }
    }

    @Test
    void postBodiesArriveWholeIncludingOnesLargerThanTheStreamWindow() throws Exception {
        for (int size : new int[] {1, 100_000, 3 * 1024 * 1024}) {
            H2Client.Response res = h2.post("/echo/post", new byte[size]).get(10, TimeUnit.SECONDS);
            assertThat(res.status()).isEqualTo(200);
            JsonNode body = Json.parse(res.body());
            assertThat(body.get("method").asText()).isEqualTo("POST");
            assertThat(body.get("bodyBytes").asLong()).as("size %d", size).isEqualTo(size);
        }
    }

    @Test
    void largeResponseArrivesWhole() throws Exception {
        H2Client.Response res = h2.get("/bytes/5000000").get(10, TimeUnit.SECONDS);
        assertThat(res.status()).isEqualTo(200);
        assertThat(res.body()).hasSize(5_000_000);
    }

    /** 100 slow requests at once on one connection finish in about the time of one. */
    @Test
    void manyConcurrentStreamsOnOneConnection() throws Exception {
        int before = backend.connectionCount();
        List<CompletableFuture<H2Client.Response>> all = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) all.add(h2.get("/delay/300?i=" + i));
        CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(15, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        Set<String> uris = new HashSet<>();
        for (CompletableFuture<H2Client.Response> f : all) {
            H2Client.Response r = f.get();
            assertThat(r.status()).isEqualTo(200);
            uris.add(Json.parse(r.body()).get("uri").asText());
        }
        assertThat(uris).hasSize(100); // each stream got its own answer
        assertThat(millis).as("100 x 300 ms in parallel").isLessThan(5000);
        // Upstream is HTTP/1.1: concurrency there means about one connection per stream in flight.
        assertThat(backend.connectionCount() - before).isBetween(1, 100);
    }

    /**
     * A stream whose client reads nothing: once the HTTP/2 windows are full the proxy must stop
     * reading the upstream (backpressure through flow control). Resetting the stream drops the
     * upstream connection, and the HTTP/2 connection keeps serving other streams.
     */
    @Test
    void stalledStreamPausesTheUpstreamAndResetReleasesIt() throws Exception {
        long sentBefore = backend.bytesSent();
        Http2StreamChannel stream = h2.openStalled("/bytes/" + (256 << 20));
        long stalledAt = Stall.awaitStable(() -> backend.bytesSent() - sentBefore);
        assertThat(stalledAt).as("backend sent %d bytes to a client reading nothing", stalledAt).isPositive().isLessThan(128L << 20);
        stream.close().sync(); // RST_STREAM
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(
                Metrics.scrape(proxy).sum("strait_upstream_connections", Map.of("cluster", "web", "state", "active"))).isZero());
        assertThat(h2.get("/echo/after-reset").get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void serverSentEventsArriveIncrementallyOverHttp2() throws Exception {
        java.util.concurrent.BlockingQueue<H2Client.Chunk> chunks = new java.util.concurrent.LinkedBlockingQueue<>();
        long t0 = System.nanoTime();
        CompletableFuture<Integer> done = h2.stream("/sse/5/200", chunks);
        H2Client.Chunk first = chunks.poll(5, TimeUnit.SECONDS);
        assertThat(first).isNotNull();
        assertThat(first.text()).startsWith("id: 1");
        long firstMillis = TimeUnit.NANOSECONDS.toMillis(first.arrivedNanos() - t0);
        assertThat(done.get(5, TimeUnit.SECONDS)).isEqualTo(200);
        List<H2Client.Chunk> rest = new ArrayList<>();
        chunks.drainTo(rest);
        H2Client.Chunk last = rest.get(rest.size() - 1);
        assertThat(last.text()).contains("data: event 5");
        // event n leaves the backend at about n * 200 ms: the first must not wait for the last
        assertThat(firstMillis).isLessThan(700);
        assertThat(TimeUnit.NANOSECONDS.toMillis(last.arrivedNanos() - first.arrivedNanos())).isGreaterThanOrEqualTo(600);
    }

    /**
     * An upstream that stops reading must stop the proxy consuming the client's HTTP/2 DATA: the
     * proxy holds about a stream window, not the 64 MiB the client has queued.
     */
    @Test
    void pausedUpstreamBackPressuresAnHttp2Upload() throws Exception {
        int size = 64 << 20;
        long bodyBefore = backend.bodyBytes();
        backend.pauseReads(true);
        try (MemorySampler sampler = MemorySampler.start()) {
            CompletableFuture<H2Client.Response> res = h2.post("/echo/h2-upload", new byte[size]);
            Stall.awaitStable(MemorySampler::usedDirect);
            assertThat(res).isNotDone();
            assertThat(sampler.directPeakGrowth()).as("direct growth %s", MemorySampler.mib(sampler.directPeakGrowth()))
                    .isLessThan(32L << 20);
            backend.pauseReads(false);
            H2Client.Response r = res.get(20, TimeUnit.SECONDS);
            assertThat(r.status()).isEqualTo(200);
            assertThat(Json.parse(r.body()).get("bodyBytes").asLong()).isEqualTo(size);
            assertThat(backend.bodyBytes() - bodyBefore).isEqualTo(size);
        } finally {
            backend.pauseReads(false);
        }
    }

    @Test
    void unknownRouteIs404Json() throws Exception {
        H2Client.Response res = h2.get("/nowhere").get(5, TimeUnit.SECONDS);
        assertThat(res.status()).isEqualTo(404);
        assertThat(res.headers().get("content-type")).isEqualTo("application/json");
        JsonNode json = Json.parse(res.body());
        assertThat(json.get("error").asText()).isEqualTo("route_not_found");
        assertThat(json.get("requestId").asText()).isEqualTo(res.headers().get("x-request-id"));
        // The connection stays usable after an error answer.
        assertThat(h2.get("/echo/after").get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void postWithBodyToUnknownRouteIs404AndTheConnectionLivesOn() throws Exception {
        H2Client.Response res = h2.post("/nowhere", new byte[200_000]).get(5, TimeUnit.SECONDS);
        assertThat(res.status()).isEqualTo(404);
        assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("route_not_found");
        assertThat(h2.get("/echo/after").get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void unreachableUpstreamIs503Json() throws Exception {
        H2Client.Response res = h2.get("/dead/x").get(5, TimeUnit.SECONDS);
        assertThat(res.status()).isEqualTo(503);
        assertThat(res.headers().get("content-type")).isEqualTo("application/json");
        assertThat(Json.parse(res.body()).get("error").asText()).isEqualTo("upstream_connect_failure");
        assertThat(h2.get("/echo/after").get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    @Test
    void upstreamStatusAndNoHopByHopHeadersComeBack() throws Exception {
        H2Client.Response res = h2.get("/status/418").get(5, TimeUnit.SECONDS);
        assertThat(res.status()).isEqualTo(418);
        assertThat(res.headers().contains("connection")).isFalse();
        assertThat(res.headers().contains("transfer-encoding")).isFalse();
        assertThat(Json.parse(res.body()).get("backend").asText()).isEqualTo("h2b");
    }

    private static Set<String> names(JsonNode headers) {
        Set<String> out = new HashSet<>();
        for (Iterator<String> it = headers.fieldNames(); it.hasNext(); ) out.add(it.next());
        return out;
    }
}
