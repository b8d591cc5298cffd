package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.proxy.testing.LoadLoop;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Chaos acceptance: steady load through three endpoints; one is killed (its process gone: every
 * connection closed, new ones refused) and later comes back on the same port. No GET may fail, and
 * the endpoint must rejoin the rotation.
 */
class ChaosTest {
    private static final int THREADS = 8;

    @Test
    void killingAnEndpointUnderLoadFailsNoGetAndItRejoins() throws Exception {
        TestBackend a = new TestBackend("a");
        TestBackend b = new TestBackend("b");
        TestBackend c = new TestBackend("c");
        int bPort = b.port();
        TestBackend back = null;
        try (ProxyFixture p = ProxyFixture.start("""
                clusters:
                  web:
                    endpoints: [{address: ${a}}, {address: ${b}}, {address: ${c}}]
                    healthCheck: {path: /healthz, interval: 200ms, unhealthyThreshold: 2, healthyThreshold: 1}
                    outlierDetection: {consecutive5xxErrors: 3, consecutiveGatewayErrors: 2, interval: 200ms,
                                       baseEjectionTime: 500ms, maxEjectionPercent: 50}
                routes:
                  - {name: web, match: {pathPrefix: /}, cluster: web,
                     retries: {attempts: 2, retryOn: [connect-failure, reset, gateway-error], backoff: {base: 5ms, max: 50ms}}}
                """, Map.of("a", a.address(), "b", b.address(), "c", c.address()))) {
            LoadLoop load = LoadLoop.start(THREADS, () -> p.get("/echo"));
            Thread.sleep(1000);
            int beforeKill = load.ok();
            b.close();
            Thread.sleep(1500);
            int whileDead = load.ok() - beforeKill;
            back = new TestBackend("b", bPort);
            long rejoinDeadline = System.nanoTime() + 10_000_000_000L;
            while (back.requestCount() < 20 && System.nanoTime() < rejoinDeadline) Thread.sleep(50);
            load.close();
            assertThat(load.failures()).as("failed GETs").isEmpty();
            assertThat(whileDead).as("requests served while b was dead").isGreaterThan(100);
            assertThat(back.requestCount()).as("b rejoined").isGreaterThanOrEqualTo(20);
            assertThat(a.requestCount()).isPositive();
            assertThat(c.requestCount()).isPositive();
        } finally {
            a.close();
            c.close();
            if (back != null) back.close();
        }
    }
}
