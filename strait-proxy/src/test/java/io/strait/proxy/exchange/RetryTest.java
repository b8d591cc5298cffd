package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.H2Client;
import io.strait.proxy.testing.ProtocolRuns;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Retries through the real proxy, against backends that fail on cue, with HTTP/1.1 and HTTP/2 (h2c) clients.
 * A test that writes raw HTTP/1.1 bytes, or drives its own HTTP/2 connections, runs once (the HTTP/1.1 run).
 */
@ParameterizedClass
@EnumSource(ClientProtocol.class)
class RetryTest extends ProtocolRuns {
    private static final String FAST_BACKOFF = "backoff: {base: 1ms, max: 5ms}";

    @Test
    void transient503sBecomeASuccessAndTheUpstreamSeesTheAttemptCount() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web,
                               retries: {attempts: 3, retryOn: [5xx], %s}}]
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            b.failNext(2, 503);
            HttpResponse<String> res = client(p).get("/echo");
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(b.requestCount()).isEqualTo(3);
            List<String> attempts = b.received().stream().map(r -> r.headers().get("x-strait-attempt-count")).toList();
            assertThat(attempts).containsExactly("1", "2", "3");
            assertThat(res.body()).contains("\"x-strait-attempt-count\":\"3\"");
            assertThat(p.admin("GET", "/metrics").body())
                    .contains("strait_upstream_retries_total{cluster=\"web\",reason=\"gateway_error\",route=\"web\"} 2.0");
        }
    }

    @Test
    void retriesWorkForHttp2ClientsAndHttp2Upstreams() throws Exception {
        onceOnly("drives its own HTTP/2 client and an h2c upstream");
        try (TestBackend b = new TestBackend("b");
             TestBackend h2 = TestBackend.h2c("h2");
             ProxyFixture p = ProxyFixture.start("""
                     clusters:
                       web: {endpoints: [{address: ${b}}]}
                       h2: {endpoints: [{address: ${h2}}], protocol: h2c}
                     routes:
                       - {name: h2, match: {pathPrefix: /h2}, cluster: h2, retries: {attempts: 2, retryOn: [5xx], %1$s}}
                       - {name: web, match: {pathPrefix: /}, cluster: web, retries: {attempts: 2, retryOn: [5xx], %1$s}}
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address(), "h2", h2.address()));
             H2Client client = new H2Client("127.0.0.1", p.port())) {
            for (int i = 0; i < 20; i++) {
                b.failNext(2, 503);
                H2Client.Response res = client.get("/echo").get(5, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(res.status()).isEqualTo(200);
                assertThat(res.body()).contains("\"x-strait-attempt-count\":\"3\"");
            }
            assertThat(b.requestCount()).isEqualTo(60);
            h2.failNext(1, 503);
            assertThat(client(p).get("/h2/echo").statusCode()).isEqualTo(200);
            assertThat(h2.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void givesUpAfterItsAttemptsWithTheLastAnswer() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web,
                               retries: {attempts: 2, retryOn: [gateway-error], %s}}]
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            b.failNext(10, 502);
            assertThat(client(p).get("/echo").statusCode()).isEqualTo(502);
            assertThat(b.requestCount()).isEqualTo(3);
            b.failNext(10, 500); // not a gateway error: not retried
            assertThat(client(p).get("/echo").statusCode()).isEqualTo(500);
            assertThat(b.requestCount()).isEqualTo(4);
        }
    }

    @Test
    void listedStatusCodesAreRetriedToo() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web,
                               retries: {attempts: 1, retryOn: [429], %s}}]
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            b.failNext(1, 429);
            assertThat(client(p).get("/echo").statusCode()).isEqualTo(200);
            assertThat(b.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void postIsNotRetriedUnlessTheRouteSaysSo() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes:
                       - {name: safe, match: {pathPrefix: /safe}, cluster: web, retries: {attempts: 3, retryOn: [5xx], %1$s}}
                       - {name: any, match: {pathPrefix: /any}, cluster: web,
                          retries: {attempts: 3, retryOn: [5xx], nonIdempotent: true, %1$s}}
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            b.failNext(1, 503);
            assertThat(client(p).send(post("/safe/x", HttpRequest.BodyPublishers.noBody(), p)).statusCode()).isEqualTo(503);
            assertThat(b.requestCount()).isEqualTo(1);
            b.failNext(1, 503);
            assertThat(client(p).send(post("/any/x", HttpRequest.BodyPublishers.noBody(), p)).statusCode()).isEqualTo(200);
            assertThat(b.requestCount()).isEqualTo(3);
            // a small body is kept and sent again
            b.failNext(1, 503);
            HttpResponse<String> again = client(p).send(post("/any/x", HttpRequest.BodyPublishers.ofString("payload"), p));
            assertThat(again.statusCode()).isEqualTo(200);
            assertThat(again.body()).contains("\"bodyBytes\":7");
            assertThat(b.requestCount()).isEqualTo(5);
        }
    }

    @Test
    void aBodyUpToTheBufferLimitIsSentAgainALongerOneIsNot() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web, retries: {attempts: 2, retryOn: [5xx], %s}}]
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            byte[] small = new byte[RequestPump.RETRY_BUFFER_LIMIT];
            b.failNext(2, 503);
            HttpResponse<String> res = client(p).send(HttpRequest.newBuilder(p.uri("/echo")).PUT(HttpRequest.BodyPublishers.ofByteArray(small)).build());
            assertThat(res.statusCode()).isEqualTo(200);
            assertThat(res.body()).contains("\"bodyBytes\":" + small.length);
            assertThat(b.requestCount()).isEqualTo(3);
            assertThat(b.bodyBytes()).isEqualTo(3L * small.length);
            byte[] large = new byte[RequestPump.RETRY_BUFFER_LIMIT + 1];
            b.failNext(1, 503);
            res = client(p).send(HttpRequest.newBuilder(p.uri("/echo")).PUT(HttpRequest.BodyPublishers.ofByteArray(large)).build());
            assertThat(res.statusCode()).isEqualTo(503);
            assertThat(b.requestCount()).isEqualTo(4);
        }
    }

    @Test
    void aRetryGoesToAnotherEndpoint() throws Exception {
        try (TestBackend bad = new TestBackend("bad");
             TestBackend good = new TestBackend("good");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${bad}}, {address: ${good}}], loadBalancer: random}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web, retries: {attempts: 1, retryOn: [5xx], %s}}]
                     """.formatted(FAST_BACKOFF), Map.of("bad", bad.address(), "good", good.address()))) {
            bad.forceStatus(503);
            for (int i = 0; i < 30; i++) {
                HttpResponse<String> res = client(p).get("/echo");
                assertThat(res.statusCode()).isEqualTo(200);
                assertThat(res.body()).contains("\"backend\":\"good\"");
            }
            assertThat(good.requestCount()).isEqualTo(30);
            assertThat(bad.requestCount()).isPositive();
        }
    }

    @Test
    void theBudgetStopsRetriesWhenEveryCallFails() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes:
                       - {name: tight, match: {pathPrefix: /tight}, cluster: web,
                          retries: {attempts: 3, retryOn: [5xx], budget: {percent: 20, minRetries: 0}, %1$s}}
                       - {name: floor, match: {pathPrefix: /floor}, cluster: web,
                          retries: {attempts: 3, retryOn: [5xx], budget: {percent: 20, minRetries: 1}, %1$s}}
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            b.forceStatus(503);
            // one request in flight: 20% of it is no retry at all
            for (int i = 0; i < 10; i++) assertThat(client(p).get("/tight/x").statusCode()).isEqualTo(503);
            assertThat(b.requestCount()).isEqualTo(10);
            // the floor allows one retry in flight, so a lone request gets all its attempts
            for (int i = 0; i < 10; i++) assertThat(client(p).get("/floor/x").statusCode()).isEqualTo(503);
            assertThat(b.requestCount()).isEqualTo(10 + 40);
        }
    }

    @Test
    void perTryTimeoutRetriesAHungAttempt() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web, timeout: 5s,
                               retries: {attempts: 2, retryOn: [gateway-error], perTryTimeout: 200ms, %s}}]
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            b.failNext(1, TestBackend.HANG);
            long t0 = System.nanoTime();
            assertThat(client(p).get("/echo").statusCode()).isEqualTo(200);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).isBetween(150L, 2500L);
            assertThat(b.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void theOverallTimeoutHoldsWhateverTheAttemptsLeft() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web, timeout: 1s,
                               retries: {attempts: 10, retryOn: [gateway-error], perTryTimeout: 300ms, %s}}]
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            long t0 = System.nanoTime();
            HttpResponse<String> res = client(p).get("/delay/10000");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(res.statusCode()).isEqualTo(504);
            assertThat(res.body()).contains("upstream_timeout");
            assertThat(ms).isBetween(900L, 3000L);
            assertThat(b.requestCount()).isBetween(3, 4);
        }
    }

    @Test
    void withoutARetriesBlockARefusedConnectionIsRetriedElsewhere() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: "127.0.0.1:%d"}, {address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web}]
                     """.formatted(dead), Map.of("b", b.address()))) {
            for (int i = 0; i < 10; i++) assertThat(client(p).get("/echo").statusCode()).isEqualTo(200);
            assertThat(b.requestCount()).isEqualTo(10);
        }
    }

    @Test
    void aResetBeforeTheResponseIsRetriedOnlyWhenAsked() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes:
                       - {name: reset, match: {pathPrefix: /r}, cluster: web, retries: {attempts: 1, retryOn: [reset], %s}}
                       - {name: plain, match: {pathPrefix: /p}, cluster: web}
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            b.failNext(1, TestBackend.RESET);
            assertThat(client(p).get("/r/echo").statusCode()).isEqualTo(200);
            assertThat(b.requestCount()).isEqualTo(2);
            b.failNext(1, TestBackend.RESET);
            assertThat(client(p).get("/p/echo").statusCode()).isEqualTo(502);
            assertThat(b.requestCount()).isEqualTo(3);
        }
    }

    @Test
    void neverRetriesOnceTheResponseHasStarted() throws Exception {
        onceOnly("raw HTTP/1.1 bytes: a response cut after its head");
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes: [{name: web, match: {pathPrefix: /}, cluster: web,
                               retries: {attempts: 3, retryOn: [5xx, reset], %s}}]
                     """.formatted(FAST_BACKOFF), Map.of("b", b.address()))) {
            String res = p.raw("GET /half HTTP/1.1\r\nHost: a\r\n\r\n", 1500);
            assertThat(res).startsWith("HTTP/1.1 200").contains("<EOF>");
            assertThat(b.requestCount()).isEqualTo(1);
        }
    }

    @Test
    void theUpstreamIsToldHowLongItHas() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes:
                       - {name: told, match: {pathPrefix: /told}, cluster: web, timeout: 2s, timeoutHeader: true}
                       - {name: per-try, match: {pathPrefix: /try}, cluster: web, timeout: 2s, timeoutHeader: true,
                          retries: {attempts: 1, perTryTimeout: 500ms}}
                       - {name: quiet, match: {pathPrefix: /quiet}, cluster: web, timeout: 2s}
                     """, Map.of("b", b.address()))) {
            client(p).get("/told/echo");
            client(p).get("/try/echo");
            client(p).send(HttpRequest.newBuilder(p.uri("/quiet/echo")).header("X-Strait-Timeout-Ms", "99")
                    .header("X-Strait-Attempt-Count", "7").build());
            List<String> told = b.received().stream().map(r -> r.headers().get("x-strait-timeout-ms")).toList();
            assertThat(Long.parseLong(told.get(0))).isBetween(1000L, 2000L);
            assertThat(Long.parseLong(told.get(1))).isBetween(100L, 500L);
            assertThat(told.get(2)).isNull();
            assertThat(b.received().get(2).headers().get("x-strait-attempt-count")).isEqualTo("1"); // Strait's own header: a client's value never reaches the upstream
        }
    }

    private static HttpRequest post(String path, HttpRequest.BodyPublisher body, ProxyFixture p) {
        return HttpRequest.newBuilder(p.uri(path)).POST(body).build();
    }
}
