package io.strait.proxy.runtime;

import io.strait.proxy.core.Snapshot;
import io.strait.proxy.cluster.Endpoint;
import io.strait.proxy.endpoint.UpstreamPools;
import io.strait.proxy.observe.ProxyMetrics;
import io.strait.proxy.cluster.ResilienceMetrics;
import java.util.function.Supplier;

/** The engine's gauges of pools, endpoint health and resilience, read from the current snapshot at each scrape. */
final class EngineGauges {
    private EngineGauges() {}

    /** Pool and health gauges read whatever snapshot is current at scrape time: nothing to redo on reload. */
    static void register(ProxyMetrics metrics, UpstreamPools pools, Supplier<Snapshot> current) {
        metrics.upstreamConnections().register("pools", sink -> {
            for (var c : current.get().clusters().all()) {
                for (Endpoint e : c.endpoints()) {
                    var p = pools.pool(e, c.config());
                    sink.sample(p.activeConnections(), c.name(), e.id(), "active");
                    sink.sample(p.idleConnections(), c.name(), e.id(), "idle");
                }
            }
        });
        metrics.upstreamPendingRequests().register("pools", sink -> {
            for (var c : current.get().clusters().all()) {
                int pending = 0;
                for (Endpoint e : c.endpoints()) pending += pools.pool(e, c.config()).pendingRequests();
                sink.sample(pending, c.name());
            }
        });
        metrics.endpointHealthy().register("clusters", sink -> {
            for (var c : current.get().clusters().all()) {
                for (Endpoint e : c.endpoints()) sink.sample(e.healthy() ? 1 : 0, c.name(), e.id());
            }
        });
        ResilienceMetrics.register(metrics, () -> current.get().clusters());
    }
}
