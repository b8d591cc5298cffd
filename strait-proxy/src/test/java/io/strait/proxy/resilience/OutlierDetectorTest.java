package io.strait.proxy.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.proxy.cluster.Cluster;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.cluster.lb.LbContext;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class OutlierDetectorTest {
    private static final EventLoopGroup GROUP = new DefaultEventLoopGroup(1);
    private static final Duration INTERVAL = Duration.ofSeconds(10);
    private static final Duration BASE = Duration.ofSeconds(30);

    private final FakeClock clock = new FakeClock();
    private final LongAdder total = new LongAdder();

    @AfterAll
    static void stop() {
        GROUP.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    private OutlierDetector detector(List<Endpoint> endpoints, int consecutive5xx, int consecutiveGateway, int maxPercent) {
        OutlierDetectionConfig c = new OutlierDetectionConfig(consecutive5xx, consecutiveGateway, INTERVAL, BASE, maxPercent);
        return new OutlierDetector("web", c, () -> endpoints, total, clock);
    }

    private static void feed(OutlierDetector d, Endpoint e, AttemptResult r, int times) {
        for (int i = 0; i < times; i++) d.onResult(e, r);
    }

    @Test
    void ejectsAtOnceOnReachingConsecutive5xx() {
        List<Endpoint> eps = Configs.endpoints(4);
        OutlierDetector d = detector(eps, 5, 0, 50);
        Endpoint e = eps.get(0);
        feed(d, e, AttemptResult.SERVER_ERROR, 4);
        assertThat(e.ejected()).isFalse();
        assertThat(e.healthy()).isTrue();
        d.onResult(e, AttemptResult.TIMEOUT); // every failure kind counts as a 5xx error
        assertThat(e.ejected()).isTrue();
        assertThat(e.healthy()).isFalse();
        assertThat(e.passesHealthChecks()).isTrue();
        assertThat(total.sum()).isEqualTo(1);
        EjectionStatus st = d.status(e);
        assertThat(st.ejected()).isTrue();
        assertThat(st.ejections()).isEqualTo(1);
        assertThat(st.ejectedUntil()).isAfter(java.time.Instant.now().plusSeconds(25));
    }

    @Test
    void aSuccessResetsTheRowAndCancelledChangesNothing() {
        List<Endpoint> eps = Configs.endpoints(4);
        OutlierDetector d = detector(eps, 3, 3, 50);
        Endpoint e = eps.get(0);
        feed(d, e, AttemptResult.GATEWAY_ERROR, 2);
        d.onResult(e, AttemptResult.OK);
        feed(d, e, AttemptResult.GATEWAY_ERROR, 2);
        assertThat(e.ejected()).isFalse();
        d.onResult(e, AttemptResult.CANCELLED);
        assertThat(e.ejected()).isFalse();
        d.onResult(e, AttemptResult.SERVER_ERROR);
        assertThat(e.ejected()).isTrue();
    }

    @Test
    void gatewayErrorsHaveTheirOwnThresholdAndAPlain5xxBreaksTheirRow() {
        List<Endpoint> eps = Configs.endpoints(4);
        OutlierDetector d = detector(eps, 10, 3, 50);
        Endpoint a = eps.get(0);
        d.onResult(a, AttemptResult.GATEWAY_ERROR);
        d.onResult(a, AttemptResult.RESET);
        d.onResult(a, AttemptResult.SERVER_ERROR); // a 500: a 5xx error, not a gateway error
        d.onResult(a, AttemptResult.CONNECT_FAILURE);
        d.onResult(a, AttemptResult.TIMEOUT);
        assertThat(a.ejected()).isFalse();
        d.onResult(a, AttemptResult.GATEWAY_ERROR);
        assertThat(a.ejected()).isTrue();
        // plain 5xx errors never reach a gateway threshold, only the 5xx one
        Endpoint b = eps.get(1);
        feed(d, b, AttemptResult.SERVER_ERROR, 9);
        assertThat(b.ejected()).isFalse();
        d.onResult(b, AttemptResult.SERVER_ERROR);
        assertThat(b.ejected()).isTrue();
    }

    @Test
    void aZeroThresholdTurnsThatCheckOff() {
        List<Endpoint> eps = Configs.endpoints(2);
        OutlierDetector d = detector(eps, 0, 0, 100);
        feed(d, eps.get(0), AttemptResult.GATEWAY_ERROR, 100);
        assertThat(eps.get(0).ejected()).isFalse();
    }

    @Test
    void neverMoreThanMaxEjectionPercent() {
        List<Endpoint> eps = Configs.endpoints(10);
        OutlierDetector d = detector(eps, 2, 0, 20);
        for (Endpoint e : eps) feed(d, e, AttemptResult.SERVER_ERROR, 2);
        assertThat(eps.stream().filter(Endpoint::ejected)).hasSize(2);
        assertThat(total.sum()).isEqualTo(2);
        // a refused ejection needs a whole new row before it is tried again
        Endpoint refused = eps.get(5);
        d.onResult(refused, AttemptResult.SERVER_ERROR);
        assertThat(refused.ejected()).isFalse();
    }

    @Test
    void atLeastOneEndpointCanBeEjectedWhateverThePercent() {
        List<Endpoint> eps = Configs.endpoints(3);
        OutlierDetector d = detector(eps, 1, 0, 10); // 10% of 3 is less than one endpoint
        d.onResult(eps.get(0), AttemptResult.SERVER_ERROR);
        assertThat(eps.get(0).ejected()).isTrue();
        d.onResult(eps.get(1), AttemptResult.SERVER_ERROR);
        assertThat(eps.get(1).ejected()).isFalse();
    }

    @Test
    void returnsAfterBaseTimesEjectionCountAndTheMultiplierDecays() {
        List<Endpoint> eps = Configs.endpoints(2);
        OutlierDetector d = detector(eps, 1, 0, 50);
        Endpoint e = eps.get(0);
        d.onResult(e, AttemptResult.SERVER_ERROR);
        assertThat(d.multiplier(e)).isEqualTo(1);
        clock.advance(Duration.ofSeconds(29));
        d.tick();
        assertThat(e.ejected()).isTrue();
        clock.advance(Duration.ofSeconds(1));
        d.tick();
        assertThat(e.ejected()).isFalse();
        assertThat(e.healthy()).isTrue();

        // ejected again at once: 2 x 30 s
        d.onResult(e, AttemptResult.SERVER_ERROR);
        assertThat(d.multiplier(e)).isEqualTo(2);
        clock.advance(Duration.ofSeconds(59));
        d.tick();
        assertThat(e.ejected()).isTrue();
        clock.advance(Duration.ofSeconds(1));
        d.tick();
        assertThat(e.ejected()).isFalse();

        // each whole interval in lowers the multiplier by one
        clock.advance(Duration.ofSeconds(9));
        d.tick();
        assertThat(d.multiplier(e)).isEqualTo(2);
        clock.advance(Duration.ofSeconds(1));
        d.tick();
        assertThat(d.multiplier(e)).isEqualTo(1);
        clock.advance(INTERVAL);
        d.tick();
        assertThat(d.multiplier(e)).isZero();
        clock.advance(INTERVAL);
        d.tick();
        assertThat(d.multiplier(e)).isZero();

        // so the next ejection is back to the base time
        d.onResult(e, AttemptResult.SERVER_ERROR);
        assertThat(d.status(e).ejections()).isEqualTo(3);
        clock.advance(BASE);
        d.tick();
        assertThat(e.ejected()).isFalse();
    }

    @Test
    void ejectionTimeIsCapped() {
        List<Endpoint> eps = Configs.endpoints(1);
        OutlierDetector d = detector(eps, 1, 0, 100);
        Endpoint e = eps.get(0);
        for (int i = 0; i < 12; i++) { // the 12th ejection would be 360 s without the cap
            d.onResult(e, AttemptResult.SERVER_ERROR);
            assertThat(e.ejected()).isTrue();
            clock.advance(OutlierDetector.MAX_EJECTION_TIME);
            d.tick();
            assertThat(e.ejected()).isFalse();
        }
    }

    @Test
    void aStoppedDetectorIgnoresResults() {
        List<Endpoint> eps = Configs.endpoints(2);
        OutlierDetector d = detector(eps, 1, 0, 50);
        d.close();
        d.onResult(eps.get(0), AttemptResult.SERVER_ERROR);
        assertThat(eps.get(0).ejected()).isFalse();
    }

    // ---------------------------------------------------------------- through a real cluster

    private static final LbContext NO_REQUEST = new LbContext() {
        private final HttpHeaders headers = new DefaultHttpHeaders();

        @Override
        public HttpHeaders requestHeaders() {
            return headers;
        }

        @Override
        public String sourceIp() {
            return "127.0.0.1";
        }
    };

    @ParameterizedTest
    @EnumSource(value = LoadBalancerKind.class, names = {"ROUND_ROBIN", "LEAST_REQUEST", "RANDOM"})
    void balancersSkipEjectedEndpointsAndTakeThemBack(LoadBalancerKind kind) {
        var config = Configs.cluster("web", kind, null, Configs.outliers(3, 0, 50),
                "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
        try (Cluster c = new Cluster(config, null, GROUP, null)) {
            Endpoint bad = c.endpoints().get(1);
            for (int i = 0; i < 3; i++) {
                assertThat(c.resilience().tryAttempt()).isEqualTo(ClusterResilience.Admission.OK);
                c.resilience().attemptDone(bad, AttemptResult.GATEWAY_ERROR);
            }
            assertThat(bad.ejected()).isTrue();
            Set<Endpoint> picked = new HashSet<>();
            for (int i = 0; i < 300; i++) picked.add(c.select(NO_REQUEST));
            assertThat(picked).doesNotContain(bad).hasSize(2);
            assertThat(c.describe().get(1).ejected()).isTrue();
            assertThat(c.describe().get(1).toMap()).containsEntry("ejected", true).containsEntry("ejections", 1)
                    .containsKey("ejectedUntil").containsEntry("healthy", false);

            bad.ejected(false); // as the detector's timer does
            picked.clear();
            for (int i = 0; i < 300; i++) picked.add(c.select(NO_REQUEST));
            assertThat(picked).contains(bad);
        }
    }

    @Test
    void theClustersTimerReturnsEjectedEndpoints() {
        var od = new OutlierDetectionConfig(1, 0, Duration.ofMillis(20), Duration.ofMillis(50), 50);
        var config = Configs.cluster("web", LoadBalancerKind.ROUND_ROBIN, null, od, "10.0.0.1:80", "10.0.0.2:80");
        try (Cluster c = new Cluster(config, null, GROUP, null)) {
            c.start();
            Endpoint bad = c.endpoints().get(0);
            c.resilience().attemptDone(bad, AttemptResult.SERVER_ERROR);
            assertThat(bad.ejected()).isTrue();
            await().atMost(Duration.ofSeconds(3)).until(() -> !bad.ejected());
            assertThat(c.select(NO_REQUEST)).isNotNull();
        }
    }
}
