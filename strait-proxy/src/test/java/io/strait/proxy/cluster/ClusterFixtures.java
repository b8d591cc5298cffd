package io.strait.proxy.cluster;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HealthCheckConfig;
import io.strait.config.model.HostPort;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.proxy.cluster.lb.LbContext;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Cluster configs for the cluster tests. */
final class ClusterFixtures {
    private ClusterFixtures() {}

    /** Checks every 100 ms, healthy after 1 pass, unhealthy after 2 failures; a generous 2 s timeout for busy CI machines. */
    static HealthCheckConfig fastChecks() {
        return checks(null, 1, 2);
    }

    static HealthCheckConfig checks(String host, int healthy, int unhealthy) {
        return new HealthCheckConfig("/healthz", host, Duration.ofMillis(100), Duration.ofSeconds(2), healthy, unhealthy);
    }

    static ClusterConfig cluster(String name, HealthCheckConfig hc, String... addresses) {
        List<EndpointConfig> eps = java.util.Arrays.stream(addresses)
                .map(a -> new EndpointConfig(HostPort.parse(a), null, Map.of(), 1))
                .toList();
        return new ClusterConfig(name, eps, LoadBalancerKind.ROUND_ROBIN, null, null,
                ClusterConfig.UpstreamProtocol.HTTP1, null, hc, Duration.ofMillis(200));
    }

    static final LbContext NO_REQUEST = new LbContext() {
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
}
