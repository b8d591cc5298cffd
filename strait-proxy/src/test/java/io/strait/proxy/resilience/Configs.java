package io.strait.proxy.resilience;

import io.strait.config.model.CircuitBreakerConfig;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.ClusterConfig.LoadBalancerKind;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.OutlierDetectionConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.proxy.cluster.Endpoint;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Records for the resilience tests, built directly (no YAML). */
public final class Configs {
    private Configs() {}

    public static ClusterConfig cluster(String name, LoadBalancerKind lb, CircuitBreakerConfig cb, OutlierDetectionConfig od,
                                 String... addresses) {
        List<EndpointConfig> eps = Arrays.stream(addresses)
                .map(a -> new EndpointConfig(HostPort.parse(a), null, Map.of(), 1))
                .toList();
        return new ClusterConfig(name, eps, lb, null, null, ClusterConfig.UpstreamProtocol.HTTP1, null, null, null, cb, od);
    }

    public static ClusterConfig cluster(CircuitBreakerConfig cb, OutlierDetectionConfig od) {
        return cluster("web", LoadBalancerKind.ROUND_ROBIN, cb, od, "10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80");
    }

    public static CircuitBreakerConfig limits(int maxConnections, int maxPending, int maxRequests, int maxRetries) {
        return new CircuitBreakerConfig(maxConnections, maxPending, maxRequests, maxRetries, null);
    }

    /** 50% of at least {@code minimumCalls} over 10 s opens for 30 s; 2 trial calls. */
    public static CircuitBreakerConfig rate(int minimumCalls) {
        return new CircuitBreakerConfig(0, 0, 0, 0,
                new CircuitBreakerConfig.FailureRate(50, minimumCalls, Duration.ofSeconds(10), Duration.ofSeconds(30), 2));
    }

    public static OutlierDetectionConfig outliers(int consecutive5xx, int consecutiveGateway, int maxPercent) {
        return new OutlierDetectionConfig(consecutive5xx, consecutiveGateway, Duration.ofSeconds(10), Duration.ofSeconds(30), maxPercent);
    }

    public static RetryPolicy budget(int percent, int minRetries) {
        return new RetryPolicy(2, Set.of(RetryPolicy.RetryOn.FIVE_XX), Set.of(), null,
                RetryPolicy.DEFAULT_BACKOFF_BASE, RetryPolicy.DEFAULT_BACKOFF_MAX, false, percent, minRetries);
    }

    public static List<Endpoint> endpoints(int n) {
        List<Endpoint> list = new ArrayList<>();
        for (int i = 1; i <= n; i++) list.add(new Endpoint(new InetSocketAddress("10.0.1." + i, 80), null, Map.of(), 1));
        return List.copyOf(list);
    }
}
