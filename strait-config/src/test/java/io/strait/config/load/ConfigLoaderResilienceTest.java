package io.strait.config.load;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.CircuitBreakerConfig.FailureRate;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.RetryPolicy.RetryOn;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Route {@code retries} and cluster {@code circuitBreaker} / {@code outlierDetection}: records, defaults, errors. */
class ConfigLoaderResilienceTest {
    private static final String C = "clusters: {c: {endpoints: [{address: 127.0.0.1:9001}]}}\n";

    static Arguments error(String yaml, String... errors) {
        return Arguments.of(yaml, List.of(errors));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource({"retryErrors", "circuitBreakerErrors", "outlierErrors"})
    void reportsExactly(String yaml, List<String> expected) {
        assertThat(Yaml.errors(yaml)).as("errors of:\n%s", yaml).containsExactlyElementsOf(expected);
    }

    @Nested
    class Retries {
        private RetryPolicy retries(String route) {
            return Yaml.load(C + "routes: [{cluster: c, " + route + "}]").routes().get(0).retries();
        }

        @Test
        void everyFieldLandsInTheRecord() {
            assertThat(retries("""
                    timeout: 2s, retries: {attempts: 3, retryOn: [5xx, Gateway-Error, connect-failure, RESET, 503, "429"],
                      perTryTimeout: 500ms, backoff: {base: 10ms, max: 1s}, nonIdempotent: true, budget: {percent: 50, minRetries: 0}}
                    """)).isEqualTo(new RetryPolicy(3,
                    Set.of(RetryOn.FIVE_XX, RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE, RetryOn.RESET), Set.of(503, 429),
                    Duration.ofMillis(500), Duration.ofMillis(10), Duration.ofSeconds(1), true, 50, 0));
        }

        @Test
        void withoutABlockARouteRetriesRefusedConnectionsTwice() {
            RetryPolicy r = retries("timeout: 1s");
            assertThat(r).isSameAs(RetryPolicy.DEFAULT);
            assertThat(r.attempts()).isEqualTo(2);
            assertThat(r.retryOn()).containsExactly(RetryOn.CONNECT_FAILURE);
        }

        @Test
        void aBlockTakesTheDefaultsOfWhatItLeavesOut() {
            assertThat(retries("retries: {attempts: 5}")).isEqualTo(new RetryPolicy(5, Set.of(RetryOn.CONNECT_FAILURE), Set.of(),
                    null, ConfigLoader.DEFAULT_RETRY_BACKOFF_BASE, ConfigLoader.DEFAULT_RETRY_BACKOFF_MAX, false,
                    ConfigLoader.DEFAULT_RETRY_BUDGET_PERCENT, ConfigLoader.DEFAULT_RETRY_BUDGET_MIN_RETRIES));
            assertThat(retries("retries: {retryOn: [5xx]}").attempts()).isEqualTo(ConfigLoader.DEFAULT_RETRY_ATTEMPTS);
            assertThat(retries("retries: {}")).isEqualTo(RetryPolicy.DEFAULT);
            assertThat(retries("retries: {backoff: {base: 100ms}}").backoffMax()).isEqualTo(Duration.ofMillis(250));
            assertThat(retries("retries: {budget: {minRetries: 10}}").budgetPercent()).isEqualTo(20);
        }

        @Test
        void zeroAttemptsTurnsRetriesOff() {
            assertThat(retries("retries: {attempts: 0}")).isSameAs(RetryPolicy.NONE);
        }

        @Test
        void perTryTimeoutMayEqualTheRouteTimeoutAndIsFreeWithoutOne() {
            assertThat(retries("timeout: 2s, retries: {perTryTimeout: 2s}").perTryTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(retries("timeout: 0, retries: {perTryTimeout: 1h}").perTryTimeout()).isEqualTo(Duration.ofHours(1));
        }
    }

    static Stream<Arguments> retryErrors() {
        String r = C + "routes: [{cluster: c, ";
        String kinds = "expected 5xx, gateway-error, connect-failure, reset or a status code 100-599";
        return Stream.of(
                error(r + "retries: {attempts: 11}}]", "routes[0].retries.attempts: must be between 0 and 10 (was 11)"),
                error(r + "retries: {attempts: -1}}]", "routes[0].retries.attempts: must be between 0 and 10 (was -1)"),
                error(r + "retries: {attempts: 0, retryOn: [5xx], backoff: {base: 1s}}}]",
                        "routes[0].retries.retryOn: has no effect with attempts: 0 (retries are off); leave it out",
                        "routes[0].retries.backoff: has no effect with attempts: 0 (retries are off); leave it out"),
                error(r + "retries: {attempts: 0, atempts: 1}}]",
                        "routes[0].retries.atempts: unknown field (did you mean 'attempts'?)"),
                error(r + "retries: {retryOn: [5xx, timeout, 600, 99, 5xx, '']}}]",
                        "routes[0].retries.retryOn: unknown value 'timeout'; " + kinds,
                        "routes[0].retries.retryOn: status 600 must be between 100 and 599",
                        "routes[0].retries.retryOn: status 99 must be between 100 and 599",
                        "routes[0].retries.retryOn: '5xx' is listed twice",
                        "routes[0].retries.retryOn: unknown value ''; " + kinds),
                error(r + "retries: {attempts: 2, retryOn: []}}]",
                        "routes[0].retries.retryOn: must list at least one of 5xx, gateway-error, connect-failure, reset"
                                + " or a status code (leave it out for connect-failure)"),
                error(r + "retries: {retryOn: 5xx}}]", "routes[0].retries.retryOn: must be a list of strings (was '5xx')"),
                error(r + "timeout: 2s, retries: {perTryTimeout: 3s}}]",
                        "routes[0].retries.perTryTimeout: must be at most the route's timeout (2s)"),
                error(r + "timeout: 1500ms, retries: {perTryTimeout: 2s}}]",
                        "routes[0].retries.perTryTimeout: must be at most the route's timeout (1500ms)"),
                error(r + "retries: {perTryTimeout: 0}}]", "routes[0].retries.perTryTimeout: must be greater than 0"),
                error(r + "retries: {backoff: {base: 100ms, max: 50ms}}}]",
                        "routes[0].retries.backoff.max: must be at least base (100ms)"),
                error(r + "retries: {backoff: {base: 1s}}}]",
                        "routes[0].retries.backoff.base: must be at most max (250ms by default); set max as well"),
                error(r + "retries: {backoff: {base: 0, max: 0}}}]",
                        "routes[0].retries.backoff.base: must be greater than 0",
                        "routes[0].retries.backoff.max: must be greater than 0"),
                error(r + "retries: {backoff: {bsae: 1ms}}}]",
                        "routes[0].retries.backoff.bsae: unknown field (did you mean 'base'?)"),
                error(r + "retries: {budget: {percent: 0, minRetries: -1}}}]",
                        "routes[0].retries.budget.percent: must be between 1 and 100 (was 0)",
                        "routes[0].retries.budget.minRetries: must be between 0 and 2147483647 (was -1)"),
                error(r + "retries: {budget: {percent: 101}}}]", "routes[0].retries.budget.percent: must be between 1 and 100 (was 101)"),
                error(r + "retries: {nonIdempotent: 'no'}}]", "routes[0].retries.nonIdempotent: must be true or false"),
                error(r + "retries: {attempt: 3}}]", "routes[0].retries.attempt: unknown field (did you mean 'attempts'?)"),
                error(r + "retries: 3}]", "routes[0].retries: must be an object (was '3')"),
                error(C + "routes: [{cluster: c}, {cluster: c, retries: {attempts: 3}}, {cluster: c, retries: {attempts: 20}}]",
                        "routes[2].retries.attempts: must be between 0 and 10 (was 20)"));
    }

    @Nested
    class Clusters {
        private ClusterConfig cluster(String settings) {
            return Yaml.load("clusters: {users: {endpoints: [{address: 127.0.0.1:9001}], " + settings + "}}")
                    .clusters().get("users");
        }

        @Test
        void everyCircuitBreakerFieldLandsInTheRecord() {
            assertThat(cluster("""
                    circuitBreaker: {maxConnections: 1000, maxPendingRequests: 100, maxRequests: 500, maxRetries: 3,
                      failureRate: {thresholdPercent: 40, minimumCalls: 10, window: 1m, openFor: 5s, halfOpenCalls: 2}}
                    """).circuitBreaker()).isEqualTo(new CircuitBreakerConfig(1000, 100, 500, 3,
                    new FailureRate(40, 10, Duration.ofMinutes(1), Duration.ofSeconds(5), 2)));
        }

        @Test
        void circuitBreakerThresholdsDefaultToNoLimitAndTheFailureRateToOff() {
            assertThat(cluster("circuitBreaker: {maxRequests: 10}").circuitBreaker())
                    .isEqualTo(new CircuitBreakerConfig(0, 0, 10, 0, null));
            assertThat(cluster("circuitBreaker: {failureRate: {}}").circuitBreaker().failureRate()).isEqualTo(new FailureRate(
                    FailureRate.DEFAULT_THRESHOLD_PERCENT, FailureRate.DEFAULT_MINIMUM_CALLS, FailureRate.DEFAULT_WINDOW,
                    FailureRate.DEFAULT_OPEN_FOR, FailureRate.DEFAULT_HALF_OPEN_CALLS));
            assertThat(cluster("circuitBreaker: {failureRate: {window: 1s}}").circuitBreaker().failureRate().window())
                    .isEqualTo(Duration.ofSeconds(1));
        }

        @Test
        void everyOutlierDetectionFieldLandsInTheRecord() {
            assertThat(cluster("""
                    outlierDetection: {consecutive5xxErrors: 3, consecutiveGatewayErrors: 2, interval: 5s,
                      baseEjectionTime: 1m, maxEjectionPercent: 100}
                    """).outlierDetection()).isEqualTo(new OutlierDetectionConfig(3, 2, Duration.ofSeconds(5),
                    Duration.ofMinutes(1), 100));
            assertThat(cluster("outlierDetection: {consecutive5xxErrors: 0, consecutiveGatewayErrors: 1, maxEjectionPercent: 0}")
                    .outlierDetection()).isEqualTo(new OutlierDetectionConfig(0, 1, Duration.ofSeconds(10), Duration.ofSeconds(30), 0));
        }

        @Test
        void outlierDetectionDefaults() {
            assertThat(cluster("outlierDetection: {}").outlierDetection()).isEqualTo(new OutlierDetectionConfig(
                    OutlierDetectionConfig.DEFAULT_CONSECUTIVE_5XX, OutlierDetectionConfig.DEFAULT_CONSECUTIVE_GATEWAY,
                    OutlierDetectionConfig.DEFAULT_INTERVAL, OutlierDetectionConfig.DEFAULT_BASE_EJECTION_TIME,
                    OutlierDetectionConfig.DEFAULT_MAX_EJECTION_PERCENT));
        }

        @Test
        void bothAreOffWithoutTheirBlocks() {
            ClusterConfig c = cluster("loadBalancer: random");
            assertThat(c.circuitBreaker()).isNull();
            assertThat(c.outlierDetection()).isNull();
        }
    }

    static Stream<Arguments> circuitBreakerErrors() {
        String c = "clusters: {users: {endpoints: [{address: 127.0.0.1:9001}], circuitBreaker: ";
        return Stream.of(
                error(c + "{maxConnections: -1, maxPendingRequests: -2, maxRequests: 1.5, maxRetries: x}}}",
                        "clusters.users.circuitBreaker.maxConnections: must be between 0 and 2147483647 (was -1)",
                        "clusters.users.circuitBreaker.maxPendingRequests: must be between 0 and 2147483647 (was -2)",
                        "clusters.users.circuitBreaker.maxRequests: must be an integer",
                        "clusters.users.circuitBreaker.maxRetries: must be an integer"),
                error(c + "{maxRequest: 5}}}",
                        "clusters.users.circuitBreaker.maxRequest: unknown field (did you mean 'maxRequests'?)"),
                error(c + "{failureRate: {thresholdPercent: 0, minimumCalls: 0, window: 500ms, openFor: 0, halfOpenCalls: 0}}}}",
                        "clusters.users.circuitBreaker.failureRate.thresholdPercent: must be between 1 and 100 (was 0)",
                        "clusters.users.circuitBreaker.failureRate.minimumCalls: must be between 1 and 2147483647 (was 0)",
                        "clusters.users.circuitBreaker.failureRate.window: must be at least 1s",
                        "clusters.users.circuitBreaker.failureRate.openFor: must be greater than 0",
                        "clusters.users.circuitBreaker.failureRate.halfOpenCalls: must be between 1 and 2147483647 (was 0)"),
                error(c + "{failureRate: {thresholdPercent: 101, window: 0}}}}",
                        "clusters.users.circuitBreaker.failureRate.thresholdPercent: must be between 1 and 100 (was 101)",
                        "clusters.users.circuitBreaker.failureRate.window: must be at least 1s"),
                error(c + "{failureRate: {treshold: 5}}}}",
                        "clusters.users.circuitBreaker.failureRate.treshold: unknown field"),
                error(c + "enabled}}", "clusters.users.circuitBreaker: must be an object (was 'enabled')"));
    }

    static Stream<Arguments> outlierErrors() {
        String c = "clusters: {users: {endpoints: [{address: 127.0.0.1:9001}], outlierDetection: ";
        return Stream.of(
                error(c + "{maxEjectionPercent: 101}}}",
                        "clusters.users.outlierDetection.maxEjectionPercent: must be between 0 and 100 (was 101)"),
                error(c + "{consecutive5xxErrors: 0}}}",
                        "clusters.users.outlierDetection: consecutive5xxErrors and consecutiveGatewayErrors are both 0:"
                                + " nothing would be ejected"),
                error(c + "{consecutive5xxErrors: -1, consecutiveGatewayErrors: -1, interval: 0, baseEjectionTime: 0s}}}",
                        "clusters.users.outlierDetection.consecutive5xxErrors: must be between 0 and 2147483647 (was -1)",
                        "clusters.users.outlierDetection.consecutiveGatewayErrors: must be between 0 and 2147483647 (was -1)",
                        "clusters.users.outlierDetection.interval: must be greater than 0",
                        "clusters.users.outlierDetection.baseEjectionTime: must be greater than 0"),
                error(c + "{consecutive5xxError: 3}}}",
                        "clusters.users.outlierDetection.consecutive5xxError: unknown field (did you mean 'consecutive5xxErrors'?)"),
                error(c + "{interval: 10}}}",
                        "clusters.users.outlierDetection.interval: must be a duration such as 250ms, 1.5s, 1m30s or 2h (was '10')"));
    }
}
