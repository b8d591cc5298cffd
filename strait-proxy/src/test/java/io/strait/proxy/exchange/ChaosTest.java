package io.strait.proxy.exchange;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strait.proxy.testing.LoadLoop;
import io.strait.proxy.testing.ProxyFixture;
import io.strait.proxy.testing.TestBackend;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Chaos acceptance: steady load through three endpoints; one is killed (its process gone: every
 * connection closed, new ones refused) and later comes back on the same port. No GET may fail, and
 * the endpoint must rejoin the rotation.
 */
class ChaosTest {
    /**
     * Load threads. The route's retry budget admits a retry for each (minRetries): the default (3 in flight, backoff
     * included) refuses a fourth while the kill's first failures wait out their backoff, and that 503 is the budget
     * doing its job (RetryTest), not a failover that failed.
     */
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
                     retries: {attempts: 2, retryOn: [connect-failure, reset, gateway-error], backoff: {base: 5ms, max: 50ms},
                               budget: {percent: 100, minRetries: 8}}}
                """, Map.of("a", a.address(), "b", b.address(), "c", c.address()))) {
            LoadLoop load = LoadLoop.start(THREADS, () -> p.get("/echo"));
            await().atMost(Duration.ofSeconds(10)).until(() -> load.ok() >= 100); // warmed up: load on all three
            int beforeKill = load.ok();
            b.close();
            // creates the outage on purpose: b stays dead for 1.5 s (several health-check intervals), so the
            // load crosses its failure, its detection and its ejection; what is asserted is what was served meanwhile
            Thread.sleep(1500);
            int whileDead = load.ok() - beforeKill;
            back = new TestBackend("b", bPort);
            TestBackend rejoined = back;
            await().atMost(Duration.ofSeconds(10)).until(() -> rejoined.requestCount() >= 20);
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
