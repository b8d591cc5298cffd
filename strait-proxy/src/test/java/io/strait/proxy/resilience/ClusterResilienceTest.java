package io.strait.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.resilience.ClusterResilience.Admission;
import io.strait.proxy.resilience.FailureRateBreaker.State;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class ClusterResilienceTest {
    private static final EventLoopGroup GROUP = new DefaultEventLoopGroup(1);
    private final FakeClock clock = new FakeClock();

    @AfterAll
    static void stop() {
        GROUP.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }

    private ClusterResilience resilience(CircuitBreakerConfig cb) {
        return new ClusterResilience(Configs.cluster(cb, null), List::of, null, clock);
    }

    @Test
    void nothingConfiguredLimitsNothingButCountsRequestsForTheBudget() {
        ClusterResilience r = resilience(null);
        for (int i = 0; i < 1000; i++) {
            assertThat(r.tryRequest()).isEqualTo(Admission.OK);
            assertThat(r.tryAttempt()).isEqualTo(Admission.OK);
            r.attemptDone(null, AttemptResult.SERVER_ERROR);
            assertThat(r.tryConnection()).isTrue();
            assertThat(r.tryPending()).isTrue();
        }
        assertThat(r.requestsInFlight()).isEqualTo(1000);
        assertThat(r.breaker()).isNull();
        for (Overflow o : Overflow.values()) assertThat(r.overflows(o)).isZero();
    }

    @Test
    void maxRequestsBoundsRequestsInFlight() {
        ClusterResilience r = resilience(Configs.limits(0, 0, 2, 0));
        assertThat(r.tryRequest()).isEqualTo(Admission.OK);
        assertThat(r.tryRequest()).isEqualTo(Admission.OK);
        assertThat(r.tryRequest()).isEqualTo(Admission.MAX_REQUESTS);
        assertThat(r.requestsInFlight()).isEqualTo(2);
        r.requestDone();
        assertThat(r.tryRequest()).isEqualTo(Admission.OK);
        assertThat(r.tryRequest()).isEqualTo(Admission.MAX_REQUESTS);
        assertThat(r.overflows(Overflow.MAX_REQUESTS)).isEqualTo(2);
    }

    @Test
    void maxConnectionsAndMaxPendingAreSeparateCounts() {
        ClusterResilience r = resilience(Configs.limits(1, 2, 0, 0));
        assertThat(r.tryConnection()).isTrue();
        assertThat(r.tryConnection()).isFalse();
        r.forceConnection(); // a pool without connections opens one anyway
        assertThat(r.connections()).isEqualTo(2);
        r.connectionClosed();
        r.connectionClosed();
        assertThat(r.tryConnection()).isTrue();
        assertThat(r.tryPending()).isTrue();
        assertThat(r.tryPending()).isTrue();
        assertThat(r.tryPending()).isFalse();
        r.pendingDone();
        assertThat(r.tryPending()).isTrue();
        assertThat(r.overflows(Overflow.MAX_CONNECTIONS)).isEqualTo(1);
        assertThat(r.overflows(Overflow.MAX_PENDING)).isEqualTo(1);
    }

    @Test
    void retryBudgetIsAShareOfRequestsInFlightWithAFloor() {
        ClusterResilience r = resilience(null);
        var policy = Configs.budget(20, 3);
        // no request in flight: the floor of 3 still allows 3
        for (int i = 0; i < 3; i++) assertThat(r.tryRetry(policy)).isTrue();
        assertThat(r.tryRetry(policy)).isFalse();
        assertThat(r.overflows(Overflow.BUDGET)).isEqualTo(1);
        for (int i = 0; i < 3; i++) r.retryDone();
        // 50 requests in flight: 20% is 10
        for (int i = 0; i < 50; i++) r.tryRequest();
        for (int i = 0; i < 10; i++) assertThat(r.tryRetry(policy)).isTrue();
        assertThat(r.tryRetry(policy)).isFalse();
        assertThat(r.retriesInFlight()).isEqualTo(10);
        // 54 requests: 20% is 10.8, rounded down: still 10
        for (int i = 0; i < 4; i++) r.tryRequest();
        assertThat(r.tryRetry(policy)).isFalse();
        r.tryRequest(); // 55: 11
        assertThat(r.tryRetry(policy)).isTrue();
        r.retryDone();
        assertThat(r.tryRetry(policy)).isTrue();
    }

    @Test
    void maxRetriesCapsRetriesWhateverTheBudget() {
        ClusterResilience r = resilience(Configs.limits(0, 0, 0, 2));
        var generous = Configs.budget(100, 100);
        assertThat(r.tryRetry(generous)).isTrue();
        assertThat(r.tryRetry(generous)).isTrue();
        assertThat(r.tryRetry(generous)).isFalse();
        assertThat(r.overflows(Overflow.MAX_RETRIES)).isEqualTo(1);
        assertThat(r.overflows(Overflow.BUDGET)).isZero();
    }

    @Test
    void anOpenBreakerRefusesAttemptsAndCountsThem() {
        ClusterResilience r = resilience(Configs.rate(4));
        for (int i = 0; i < 4; i++) {
            assertThat(r.tryAttempt()).isEqualTo(Admission.OK);
            r.attemptDone(null, AttemptResult.CONNECT_FAILURE);
        }
        assertThat(r.breaker().state()).isEqualTo(State.OPEN);
        assertThat(r.tryAttempt()).isEqualTo(Admission.BREAKER_OPEN);
        assertThat(r.overflows(Overflow.BREAKER_OPEN)).isEqualTo(1);
        clock.advance(java.time.Duration.ofSeconds(30));
        assertThat(r.tryAttempt()).isEqualTo(Admission.OK);
        assertThat(r.tryAttempt()).isEqualTo(Admission.OK);
        assertThat(r.tryAttempt()).isEqualTo(Admission.BREAKER_OPEN);
        r.attemptDone(null, AttemptResult.OK);
        r.attemptDone(null, AttemptResult.OK);
        assertThat(r.breaker().state()).isEqualTo(State.CLOSED);
    }

    @Test
    void describeShowsStateThresholdsCountsAndOverflows() {
        ClusterResilience r = new ClusterResilience(Configs.cluster(
                new CircuitBreakerConfig(5, 6, 7, 8, Configs.rate(10).failureRate()), Configs.outliers(5, 0, 10)),
                List::of, null, clock);
        r.tryRequest();
        r.tryAttempt();
        r.attemptDone(null, AttemptResult.SERVER_ERROR);
        Map<String, Object> d = r.describe();
        @SuppressWarnings("unchecked")
        Map<String, Object> cb = (Map<String, Object>) d.get("circuitBreaker");
        assertThat(cb).containsEntry("state", "closed").containsEntry("calls", 1L).containsEntry("failures", 1L)
                .containsEntry("failureRatePercent", 100.0).containsEntry("requestsInFlight", 1)
                .containsEntry("retriesInFlight", 0)
                .containsEntry("thresholds", Map.of("maxConnections", 5, "maxPendingRequests", 6, "maxRequests", 7, "maxRetries", 8));
        assertThat(List.copyOf(((Map<?, ?>) cb.get("overflows")).keySet())).isEqualTo(List.of(
                "max_requests", "max_pending", "max_connections", "max_retries", "breaker_open", "budget"));
        assertThat(d.get("outlierDetection")).isEqualTo(Map.of("enabled", true, "ejectionsTotal", 0L, "ejected", List.of()));
        assertThat(((Map<?, ?>) resilience(null).describe().get("circuitBreaker")).get("state")).isEqualTo("disabled");
    }

    // ---------------------------------------------------------------- generations

    @Test
    void aReloadWithTheSameConfigKeepsBreakerStateCountsAndEjections() {
        // 70% of 3 endpoints: two may be ejected
        ClusterConfig config = Configs.cluster(new CircuitBreakerConfig(0, 0, 10, 0, Configs.rate(3).failureRate()),
                Configs.outliers(2, 0, 70));
        try (Cluster one = new Cluster(config, null, GROUP, null)) {
            ClusterResilience r1 = one.resilience();
            r1.tryRequest();
            r1.tryRequest();
            Endpoint bad = one.endpoints().get(1);
            for (int i = 0; i < 3; i++) {
                r1.tryAttempt();
                r1.attemptDone(bad, AttemptResult.SERVER_ERROR);
            }
            assertThat(r1.breaker().state()).isEqualTo(State.OPEN);
            assertThat(bad.ejected()).isTrue();
            r1.tryAttempt(); // refused: one overflow

            try (Cluster two = new Cluster(config, null, GROUP, one)) {
                one.close();
                ClusterResilience r2 = two.resilience();
                assertThat(r2).isNotSameAs(r1);
                assertThat(r2.breaker().state()).isEqualTo(State.OPEN);
                assertThat(r2.tryAttempt()).isEqualTo(Admission.BREAKER_OPEN);
                assertThat(r2.requestsInFlight()).isEqualTo(2);
                assertThat(r2.overflows(Overflow.BREAKER_OPEN)).isEqualTo(2);
                assertThat(r2.ejectionsTotal()).isEqualTo(1);
                Endpoint bad2 = two.endpoints().get(1);
                assertThat(bad2).isNotSameAs(bad);
                assertThat(bad2.ejected()).isTrue();
                assertThat(r2.ejection(bad2).ejections()).isEqualTo(1);
                assertThat(two.describe().get(1).ejected()).isTrue();
                // requests admitted by the old generation finish there and free the shared count
                r1.requestDone();
                assertThat(r2.requestsInFlight()).isEqualTo(1);
                // the new generation's detector works after the old one closed
                Endpoint other = two.endpoints().get(0);
                r2.attemptDone(other, AttemptResult.GATEWAY_ERROR);
                r2.attemptDone(other, AttemptResult.GATEWAY_ERROR);
                assertThat(other.ejected()).isTrue();
            }
        }
    }

    @Test
    void aChangedConfigStartsBreakerAndEjectionsAfreshButKeepsCountsInFlight() {
        ClusterConfig before = Configs.cluster(Configs.rate(3), Configs.outliers(2, 0, 50));
        ClusterConfig after = Configs.cluster(Configs.rate(5), Configs.outliers(3, 0, 50));
        try (Cluster one = new Cluster(before, null, GROUP, null)) {
            ClusterResilience r1 = one.resilience();
            r1.tryRequest();
            Endpoint bad = one.endpoints().get(0);
            for (int i = 0; i < 3; i++) {
                r1.tryAttempt();
                r1.attemptDone(bad, AttemptResult.SERVER_ERROR);
            }
            assertThat(r1.breaker().state()).isEqualTo(State.OPEN);
            assertThat(bad.ejected()).isTrue();
            try (Cluster two = new Cluster(after, null, GROUP, one)) {
                ClusterResilience r2 = two.resilience();
                assertThat(r2.breaker()).isNotSameAs(r1.breaker());
                assertThat(r2.breaker().state()).isEqualTo(State.CLOSED);
                assertThat(two.endpoints().get(0).ejected()).isFalse();
                assertThat(r2.requestsInFlight()).isEqualTo(1);
            }
        }
    }

    @Test
    void closingTheClusterStopsItsDetector() {
        try (Cluster c = new Cluster(Configs.cluster(null, Configs.outliers(1, 0, 100)), null, GROUP, null)) {
            c.close();
            Endpoint e = c.endpoints().get(0);
            c.resilience().attemptDone(e, AttemptResult.SERVER_ERROR);
            assertThat(e.ejected()).isFalse();
        }
    }
}
