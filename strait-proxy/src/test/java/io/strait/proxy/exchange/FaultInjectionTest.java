package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.ClientProtocol;
import io.strait.proxy.testing.ProtocolRuns;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Fault injection (delays and aborts of a share of requests) and the response idle timeout. */
@ParameterizedClass
@EnumSource(ClientProtocol.class)
class FaultInjectionTest extends ProtocolRuns {
    @Test
    void abortsAndDelaysTheirShareOfRequests() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes:
                       - {name: abort, match: {pathPrefix: /abort}, cluster: web, fault: {abort: {status: 503, percent: 100}}}
                       - {name: coin, match: {pathPrefix: /coin}, cluster: web, fault: {abort: {status: 418, percent: 50}}}
                       - {name: slow, match: {pathPrefix: /slow}, cluster: web, fault: {delay: {duration: 300ms, percent: 100}}}
                     """, Map.of("b", b.address()))) {
            HttpResponse<String> aborted = client(p).get("/abort/x");
            assertThat(aborted.statusCode()).isEqualTo(503);
            assertThat(aborted.body()).contains("\"error\":\"fault_injected\"");
            assertThat(b.requestCount()).isZero();
            int teapots = 0;
            for (int i = 0; i < 400; i++) if (client(p).get("/coin/x").statusCode() == 418) teapots++;
            assertThat(teapots).isBetween(140, 260); // 200 expected, about 10 standard deviations either side
            assertThat(b.requestCount()).isEqualTo(400 - teapots);
            long t0 = System.nanoTime();
            assertThat(client(p).get("/slow/echo").statusCode()).isEqualTo(200);
            assertThat((System.nanoTime() - t0) / 1_000_000).isGreaterThanOrEqualTo(290L);
        }
    }

    /**
     * The route's timeout runs from the request's arrival (docs/configuration.md), not from the upstream
     * call's start: a request delayed 400 ms before its upstream call has only 400 ms of an 800 ms timeout left.
     */
    @Test
    void theRouteTimeoutRunsFromTheRequestsArrival() throws Exception {
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes:
                       - {name: late, match: {pathPrefix: /late}, cluster: web, timeout: 800ms, rewrite: {prefix: /},
                          fault: {delay: {duration: 400ms, percent: 100}}}
                     """, Map.of("b", b.address()))) {
            HttpResponse<String> timedOut = client(p).get("/late/delay/600"); // 400 + 600 ms after arrival > 800 ms
            assertThat(timedOut.statusCode()).isEqualTo(504);
            assertThat(timedOut.body()).contains("\"error\":\"upstream_timeout\"");
            assertThat(client(p).get("/late/delay/50").statusCode()).isEqualTo(200); // 400 + 50 ms: in time
        }
    }

    @Test
    void aResponseThatStallsLongerThanTheIdleTimeoutIsCut() throws Exception {
        onceOnly("raw HTTP/1.1 bytes: a stalled response read from the socket");
        try (TestBackend b = new TestBackend("b");
             ProxyFixture p = ProxyFixture.start("""
                     clusters: {web: {endpoints: [{address: ${b}}]}}
                     routes:
                       - {name: strict, match: {pathPrefix: /strict}, cluster: web, idleTimeout: 300ms, rewrite: {prefix: /}}
                       - {name: patient, match: {pathPrefix: /patient}, cluster: web, idleTimeout: 2s, rewrite: {prefix: /}}
                     """, Map.of("b", b.address()))) {
            long t0 = System.nanoTime();
            String cut = p.raw("GET /strict/sse/3/1000 HTTP/1.1\r\nHost: a\r\n\r\n", 3000);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(cut).startsWith("HTTP/1.1 200").contains("<EOF>");
            assertThat(ms).isLessThan(3000 + 1500);
            String whole = p.raw("GET /patient/sse/3/200 HTTP/1.1\r\nHost: a\r\n\r\n", 1500);
            assertThat(whole).startsWith("HTTP/1.1 200").contains("data: event 3");
        }
    }
}
