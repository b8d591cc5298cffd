package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.Downstream;
import io.strait.proxy.testing.LoadLoop;
import io.strait.proxy.testing.ProtocolRuns;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Weighted splits over endpoint subsets, pinning by header and cookie, sticky users, mirroring, live weight changes:
 * over HTTP/1.1 and over HTTP/2 (where the requests share one multiplexed connection).
 */
@ParameterizedClass
@EnumSource(ClientProtocol.class)
class TrafficShapingTest extends ProtocolRuns {
    /** Requests in flight at once in the split's 10,000. */
    private static final int IN_FLIGHT = 16;

    private static final String CLUSTER = """
            clusters:
              web:
                endpoints:
                  - {address: ${v1a}, labels: {version: v1}}
                  - {address: ${v1b}, labels: {version: v1}}
                  - {address: ${v2}, labels: {version: v2}}
            """;

    private static String routes(int w1, int w2) {
        return CLUSTER + """
                routes:
                  - {name: pin-header, match: {pathPrefix: /, headers: [{name: x-version, exact: v2}]}, cluster: web, subset: {version: v2}}
                  - {name: pin-cookie, match: {pathPrefix: /, cookies: [{name: canary, exact: "yes"}]}, cluster: web, subset: {version: v2}}
                  - {name: sticky, match: {pathPrefix: /sticky}, cluster: web, stickyOn: {header: x-user},
                     split: [{subset: {version: v1}, weight: %1$d}, {subset: {version: v2}, weight: %2$d}]}
                  - {name: split, match: {pathPrefix: /}, cluster: web,
                     split: [{subset: {version: v1}, weight: %1$d}, {subset: {version: v2}, weight: %2$d}]}
                """.formatted(w1, w2);
    }

    @Test
    void splitsPinsAndStickiness() throws Exception {
        try (TestBackend v1a = new TestBackend("v1a");
             TestBackend v1b = new TestBackend("v1b");
             TestBackend v2 = new TestBackend("v2");
             ProxyFixture p = ProxyFixture.start(routes(90, 10),
                     Map.of("v1a", v1a.address(), "v1b", v1b.address(), "v2", v2.address()))) {
            int total = 10_000;
            Downstream client = client(p);
            AtomicInteger v2Count = new AtomicInteger();
            List<String> failures = new CopyOnWriteArrayList<>();
            ExecutorService senders = Executors.newFixedThreadPool(IN_FLIGHT);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < IN_FLIGHT; t++) {
                    done.add(senders.submit(() -> {
                        for (int i = 0; i < total / IN_FLIGHT; i++) {
                            HttpResponse<String> r = client.get("/echo");
                            if (r.statusCode() != 200) failures.add(r.statusCode() + " " + r.body());
                            if (r.body().contains("\"backend\":\"v2\"")) v2Count.incrementAndGet();
                        }
                    }));
                }
                for (Future<?> f : done) f.get();
            } finally {
                senders.shutdownNow();
            }
            assertThat(failures).isEmpty();
            int toV2 = v2Count.get();
            // 1,000 expected; binomial sd 30: 5 sd either side
            assertThat(toV2).isBetween(850, 1150);
            assertThat(v1a.requestCount() + v1b.requestCount()).isEqualTo(total - toV2);
            assertThat(Math.abs(v1a.requestCount() - v1b.requestCount())).isLessThanOrEqualTo(total / 50); // round-robin within v1

            for (int i = 0; i < 200; i++) {
                HttpResponse<String> r = client(p).send(HttpRequest.newBuilder(p.uri("/echo")).header("X-Version", "v2").build());
                assertThat(r.body()).contains("\"backend\":\"v2\"");
                r = client(p).send(HttpRequest.newBuilder(p.uri("/echo")).header("Cookie", "a=b; canary=yes").build());
                assertThat(r.body()).contains("\"backend\":\"v2\"");
            }

            int usersOnV2 = 0;
            for (int u = 0; u < 400; u++) {
                String first = null;
                for (int i = 0; i < 3; i++) {
                    String body = client(p).send(HttpRequest.newBuilder(p.uri("/sticky/echo")).header("X-User", "user-" + u).build()).body();
                    String version = body.contains("\"backend\":\"v2\"") ? "v2" : "v1";
                    if (first == null) first = version;
                    assertThat(version).as("user-" + u + " stays on one version").isEqualTo(first);
                }
                if (first.equals("v2")) usersOnV2++;
            }
            assertThat(usersOnV2).isBetween(10, 75); // 40 expected, sd 6
        }
    }

    @Test
    void weightsChangeByReloadWithNoDroppedRequest() throws Exception {
        Map<String, String> vars;
        try (TestBackend v1a = new TestBackend("v1a");
             TestBackend v1b = new TestBackend("v1b");
             TestBackend v2 = new TestBackend("v2");
             ProxyFixture p = ProxyFixture.start(routes(90, 10),
                     vars = Map.of("v1a", v1a.address(), "v1b", v1b.address(), "v2", v2.address()))) {
            LoadLoop load = LoadLoop.start(4, () -> client(p).get("/echo"));
            // load before the reload and after it (requests served, not time passed)
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() >= 30);
            p.writeConfig(routes(0, 100), vars);
            assertThat(p.admin("POST", "/reload").statusCode()).isEqualTo(200);
            int atReload = load.ok();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() >= atReload + 30);
            load.close();
            assertThat(load.failures()).isEmpty();
            assertThat(load.ok()).isGreaterThan(50);
            int v1Before = v1a.requestCount() + v1b.requestCount();
            for (int i = 0; i < 100; i++) assertThat(client(p).get("/echo").body()).contains("\"backend\":\"v2\"");
            assertThat(v1a.requestCount() + v1b.requestCount()).isEqualTo(v1Before);
        }
    }

    @Test
    void mirroringReachesTheShadowWithoutChangingOrSlowingTheAnswer() throws Exception {
        try (TestBackend main = new TestBackend("main");
             TestBackend shadow = new TestBackend("shadow");
             ProxyFixture p = ProxyFixture.start("""
                     clusters:
                       main: {endpoints: [{address: ${main}}]}
                       shadow: {endpoints: [{address: ${shadow}}]}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: main, mirror: {cluster: shadow, percent: 100}}]
                     """, Map.of("main", main.address(), "shadow", shadow.address()))) {
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = client(p).get("/echo?i=" + i);
                assertThat(r.statusCode()).isEqualTo(200);
                assertThat(r.body()).contains("\"backend\":\"main\"");
            }
            HttpResponse<String> posted = client(p).send(HttpRequest.newBuilder(p.uri("/upload"))
                    .POST(HttpRequest.BodyPublishers.ofString("x".repeat(5000))).build());
            assertThat(posted.body()).contains("\"bodyBytes\":5000");
            waitFor(() -> shadow.requestCount() == 21);
            assertThat(shadow.received().get(0).headers().get("host")).isEqualTo("127.0.0.1-shadow:" + p.port());
            assertThat(shadow.received().get(0).uri()).isEqualTo("/echo?i=0");
            waitFor(() -> shadow.bodyBytes() == 5000);

            // a shadow that hangs (or is gone) never slows the real call
            shadow.failNext(1000, TestBackend.HANG);
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) assertThat(client(p).get("/echo").statusCode()).isEqualTo(200);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2000);
            shadow.close();
            for (int i = 0; i < 20; i++) assertThat(client(p).get("/echo").statusCode()).isEqualTo(200);
            assertThat(main.requestCount()).isEqualTo(61);
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        await().atMost(Duration.ofSeconds(5)).until(condition::getAsBoolean);
    }
}
