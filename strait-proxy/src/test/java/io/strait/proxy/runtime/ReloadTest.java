package io.strait.proxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.strait.proxy.testing.HttpHead;
import io.strait.proxy.testing.Json;
import io.strait.proxy.testing.Metrics;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Configuration reloads on a proxy under load: through {@code POST /reload} and through the file
 * watcher, valid and invalid, with requests in flight and keep-alive connections open.
 */
class ReloadTest {
    /** Route "web" to cluster a; both clusters exist. */
    static final String TO_A = """
            clusters:
              a: {endpoints: [{address: ${a}}]}
              b: {endpoints: [{address: ${b}}]}
            routes:
              - {name: web, match: {pathPrefix: /}, cluster: a}
            """;
    static final String TO_B = TO_A.replace("cluster: a}", "cluster: b}");
    /** Back to a, and cluster b is gone altogether. */
    static final String ONLY_A = """
            clusters:
              a: {endpoints: [{address: ${a}}]}
            routes:
              - {name: web, match: {pathPrefix: /}, cluster: a}
            """;

    TestBackend a;
    TestBackend b;
    ProxyFixture proxy;
    Map<String, String> vars;

    @BeforeEach
    void start() throws Exception {
        a = new TestBackend("a");
        b = new TestBackend("b");
        vars = Map.of("a", a.address(), "b", b.address());
        proxy = ProxyFixture.start(TO_A, vars);
    }

    @AfterEach
    void stop() {
        proxy.close();
        a.close();
        b.close();
    }

    @Test
    void reloadsUnderLoadLoseNoRequest() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        Map<String, LongAdder> byBackend = new ConcurrentHashMap<>();
        AtomicInteger total = new AtomicInteger();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Future<?>> workers = new ArrayList<>();
        long t0 = System.nanoTime();
        try {
            for (int t = 0; t < threads; t++) {
                int id = t;
                workers.add(pool.submit(() -> {
                    int i = 0;
                    while (running.get()) {
                        try {
                            HttpResponse<String> res = proxy.send(HttpRequest.newBuilder(proxy.uri("/echo/" + id + "/" + i++)).build());
                            total.incrementAndGet();
                            if (res.statusCode() != 200) {
                                failures.add(res.statusCode() + " " + res.body());
                            } else {
                                byBackend.computeIfAbsent(Json.parse(res.body()).get("backend").asText(), k -> new LongAdder()).increment();
                            }
                        } catch (RuntimeException e) {
                            failures.add(e.toString());
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> total.get() > 200);

            // 1. POST /reload: the route moves to b.
            proxy.writeConfig(TO_B, vars);
            HttpResponse<String> reload = proxy.admin("POST", "/reload");
            assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
            assertThat(Json.parse(reload.body()).get("status").asText()).isEqualTo("reloaded");
            long bBefore = count(byBackend, "b");
            await().atMost(Duration.ofSeconds(5)).until(() -> count(byBackend, "b") > bBefore + 200);

            // 2. The file watcher alone: back to a, and cluster b disappears.
            long aBefore = count(byBackend, "a");
            proxy.writeConfig(ONLY_A, vars);
            await().atMost(Duration.ofSeconds(5)).until(() -> count(byBackend, "a") > aBefore + 200);
            assertThat(proxy.server().snapshot().config().clusters()).containsOnlyKeys("a");
            long bAfterSwitch = b.requestCount();
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> b.requestCount() == bAfterSwitch);
            // Keep the load on for about 3 s in all (this is load duration, not a wait for a condition).
            Thread.sleep(Math.max(0, 3000 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)));
        } finally {
            running.set(false);
            for (Future<?> w : workers) w.get(10, TimeUnit.SECONDS);
            pool.shutdownNow();
        }
        assertThat(failures).as("failed requests out of %d", total.get()).isEmpty();
        assertThat(total.get()).isGreaterThan(600);
        Metrics m = Metrics.scrape(proxy);
        assertThat(m.value("strait_config_reloads_total", Map.of("result", "success"))).isGreaterThanOrEqualTo(2);
        assertThat(m.value("strait_config_reloads_total", Map.of("result", "failure"))).isZero();
    }

    @Test
    void invalidConfigIsRejectedWithPathsAndTheOldOneKeepsServing() throws Exception {
        double failuresBefore = Metrics.scrape(proxy).value("strait_config_reloads_total", Map.of("result", "failure"));
        double successBefore = Metrics.scrape(proxy).value("strait_config_reloads_total", Map.of("result", "success"));
        proxy.writeConfig("""
                clusters:
                  a: {endpoints: [{address: ${a}}]}
                routes:
                  - {name: web, match: {pathPrefix: /x}, cluster: a, timeot: 2s}
                  - {name: other, match: {pathPrefix: /}, cluster: nope}
                """, vars);
        HttpResponse<String> res = proxy.admin("POST", "/reload");
        assertThat(res.statusCode()).isEqualTo(400);
        assertThat(res.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode body = Json.parse(res.body());
        assertThat(body.get("status").asText()).isEqualTo("rejected");
        List<String> errors = new ArrayList<>();
        body.get("errors").forEach(e -> errors.add(e.asText()));
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("routes[0].timeot").contains("unknown field"));
        assertThat(errors).anySatisfy(e -> assertThat(e).contains("routes[1].cluster").contains("unknown cluster 'nope'"));

        // The running configuration is untouched.
        HttpResponse<String> served = proxy.get("/echo/still");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(Json.parse(served.body()).get("backend").asText()).isEqualTo("a");
        assertThat(proxy.server().snapshot().config().routes()).singleElement()
                .satisfies(r -> assertThat(r.cluster()).isEqualTo("a"));
        // The reload ran before the answer: the counter moved already (the file watcher may add one more).
        Metrics m = Metrics.scrape(proxy);
        assertThat(m.value("strait_config_reloads_total", Map.of("result", "failure"))).isGreaterThanOrEqualTo(failuresBefore + 1);
        assertThat(m.value("strait_config_reloads_total", Map.of("result", "success"))).isEqualTo(successBefore);

        // Not even YAML: also a 400 with the reason.
        proxy.writeConfig("routes: [unclosed", vars);
        HttpResponse<String> broken = proxy.admin("POST", "/reload");
        assertThat(broken.statusCode()).isEqualTo(400);
        assertThat(Json.parse(broken.body()).get("errors").get(0).asText()).contains("not valid YAML");
        assertThat(proxy.get("/echo/still").statusCode()).isEqualTo(200);
    }

    @Test
    void keepAliveConnectionsSurviveAReloadAndUseTheNewRoutes() throws Exception {
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(5000);
            assertThat(backendOf(exchange(s, "/echo/first"))).isEqualTo("a");
            proxy.writeConfig(TO_B, vars);
            assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
            assertThat(backendOf(exchange(s, "/echo/second"))).isEqualTo("b");
            assertThat(backendOf(exchange(s, "/echo/third"))).isEqualTo("b");
        }
    }

    @Test
    void requestInFlightFinishesOnTheConfigItStartedWith() throws Exception {
        CompletableFuture<HttpResponse<String>> slow = proxy.client().sendAsync(
                HttpRequest.newBuilder(proxy.uri("/delay/800")).build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> a.received().stream().anyMatch(r -> r.uri().equals("/delay/800")));
        // Cluster a disappears while its request is in flight.
        proxy.writeConfig("""
                clusters:
                  b: {endpoints: [{address: ${b}}]}
                routes:
                  - {name: web, match: {pathPrefix: /}, cluster: b}
                """, vars);
        assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
        assertThat(backendOf(proxy.get("/echo/new").body())).isEqualTo("b");
        HttpResponse<String> res = slow.get(5, TimeUnit.SECONDS);
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(backendOf(res.body())).isEqualTo("a");
    }

    /** Listener settings other than address and protocols take effect on reload (for new requests and connections). */
    @Test
    void listenerSettingsApplyAfterReload() throws Exception {
        HttpResponse<String> before = proxy.send(HttpRequest.newBuilder(proxy.uri("/echo/big"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build());
        assertThat(before.statusCode()).isEqualTo(200);

        proxy.writeConfig("""
                listeners:
                  - {name: public, address: 127.0.0.1:0, maxRequestBodySize: 10, idleTimeout: 300ms}
                """ + TO_A, vars);
        HttpResponse<String> reload = proxy.admin("POST", "/reload");
        assertThat(reload.statusCode()).as(reload.body()).isEqualTo(200);
        assertThat(Json.parse(reload.body()).get("warnings")).isEmpty();

        HttpResponse<String> after = proxy.send(HttpRequest.newBuilder(proxy.uri("/echo/big"))
                .POST(HttpRequest.BodyPublishers.ofString("x".repeat(100))).build());
        assertThat(after.statusCode()).as("listener maxRequestBodySize 10 after reload").isEqualTo(413);
        try (Socket s = new Socket("127.0.0.1", proxy.port())) {
            s.setSoTimeout(3000);
            long t0 = System.nanoTime();
            assertThat(s.getInputStream().read()).as("a new idle connection closes after the new idleTimeout").isEqualTo(-1);
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(2000);
        }
    }

    /** A listener removed by a reload stays bound until restart; its open connections serve one more request and close. */
    @Test
    void removedListenerServesItsOpenConnectionOnceMore() throws Exception {
        proxy.close();
        String two = """
                listeners:
                  - {name: public, address: 127.0.0.1:0}
                  - {name: second, address: 127.0.0.1:0}
                """ + TO_A;
        proxy = ProxyFixture.start(two, vars);
        int second = proxy.server().port("second");
        try (Socket s = new Socket("127.0.0.1", second)) {
            s.setSoTimeout(5000);
            assertThat(backendOf(exchange(s, "/echo/before"))).isEqualTo("a");
            proxy.writeConfig("""
                    listeners:
                      - {name: public, address: 127.0.0.1:0}
                    """ + TO_B, vars);
            assertThat(proxy.admin("POST", "/reload").statusCode()).isEqualTo(200);
            s.getOutputStream().write("GET /echo/after HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            String rest = ProxyFixture.readUntilQuiet(s.getInputStream());
            assertThat(rest).startsWith("HTTP/1.1 200").contains("connection: close").contains("\"backend\":\"b\"").endsWith("<EOF>");
        }
    }

    // ---------------------------------------------------------------- helpers

    private static long count(Map<String, LongAdder> counts, String backend) {
        LongAdder n = counts.get(backend);
        return n == null ? 0 : n.sum();
    }

    private static String backendOf(String json) {
        return Json.parse(json).get("backend").asText();
    }

    /** One request on an open connection; fails if the proxy closed it. */
    private static String exchange(Socket s, String path) throws IOException {
        s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        InputStream in = s.getInputStream();
        HttpHead head = HttpHead.read(in);
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.headers().get("connection")).isNotEqualTo("close");
        return new String(in.readNBytes((int) head.contentLength()), StandardCharsets.UTF_8);
    }
}
