package io.strait.proxy.observe;

import io.prometheus.metrics.core.datapoints.GaugeDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmBufferPoolMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmClassLoadingMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmCompilationMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmGarbageCollectorMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmMemoryMetrics;
import io.prometheus.metrics.instrumentation.jvm.JvmRuntimeInfoMetric;
import io.prometheus.metrics.instrumentation.jvm.JvmThreadsMetrics;
import io.prometheus.metrics.instrumentation.jvm.ProcessMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The process's Prometheus metrics. Create one per process and keep it across config reloads:
 * counters stay monotonic, and per-route data points are re-resolved by {@link #forRoute} for the
 * new config.
 *
 * <p>Hot-path methods ({@link RouteMetrics#record}, the gauges' {@code inc/dec}) are lock-free
 * adder updates; exemplars are off so no trace lookup happens per observation.
 */
public final class ProxyMetrics {

    /** The {@code Content-Type} of {@link #scrape}: Prometheus text format 0.0.4. */
    public static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;
    /** The {@code Content-Type} of {@link #scrape(OutputStream, String)} when the scraper asks for OpenMetrics. */
    public static final String OPENMETRICS_CONTENT_TYPE = OpenMetricsTextFormatWriter.CONTENT_TYPE;

    /**
     * Latency buckets in seconds: from 0.5 ms (a local proxy hop) to 10 s (beyond any sane route
     * timeout), roughly 1-2.5-5 per decade so quantiles stay within a factor of ~2.
     */
    static final double[] DURATION_BUCKETS_SECONDS = {
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10
    };

    public static final String UPSTREAM_CONNECTIONS = "strait_upstream_connections";
    public static final String UPSTREAM_PENDING_REQUESTS = "strait_upstream_pending_requests";
    public static final String ENDPOINT_HEALTHY = "strait_endpoint_healthy";

    /** Route/cluster label value when there is none (no route matched, no cluster called). */
    public static final String NONE = "";

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final OpenMetricsTextFormatWriter openMetricsWriter = OpenMetricsTextFormatWriter.create();
    /** Whether the JVM and process metrics are registered (on the first scrape, see {@link #scrape}). */
    private volatile boolean jvmRegistered;
    private final Counter requests;
    private final Counter requestBytes;
    private final Counter responseBytes;
    private final DurationHistogram requestDuration;
    private final DurationHistogram upstreamDuration;
    private final Gauge downstreamConnections;
    private final Gauge downstreamRequests;
    private final Counter configReloads;
    private final Counter accessLogDropped;
    private final Map<String, GaugeFamily> gauges = new ConcurrentHashMap<>();
    private final GaugeFamily upstreamConnections;
    private final GaugeFamily upstreamPending;
    private final GaugeFamily endpointHealthy;
    private final Counter retries;
    private final Counter filterErrors;
    private final Counter clientCalls;
    private final RecentErrors recentErrors = new RecentErrors();

    public ProxyMetrics() {
        requests = Counter.builder()
                .name("strait_requests_total")
                .help("Requests completed, by route, cluster, status (class and exact), method, protocol, who answered"
                        + " (upstream or strait) and, for Strait's own answers, why")
                .labelNames("route", "cluster", "code_class", "code", "method", "protocol", "responder", "reason")
                .withoutExemplars()
                .register(registry);
        requestBytes = Counter.builder()
                .name("strait_request_bytes_total")
                .help("Request body bytes read from clients, by route and cluster")
                .labelNames("route", "cluster")
                .unit(Unit.BYTES)
                .withoutExemplars()
                .register(registry);
        responseBytes = Counter.builder()
                .name("strait_response_bytes_total")
                .help("Response body bytes sent to clients, by route and cluster")
                .labelNames("route", "cluster")
                .unit(Unit.BYTES)
                .withoutExemplars()
                .register(registry);
        requestDuration = new DurationHistogram("strait_request_duration_seconds",
                "Time from request arrival to the end of the response, by route", "route", DURATION_BUCKETS_SECONDS);
        registry.register(requestDuration);
        upstreamDuration = new DurationHistogram("strait_upstream_duration_seconds",
                "Time spent on the upstream call, by cluster", "cluster", DURATION_BUCKETS_SECONDS);
        registry.register(upstreamDuration);
        downstreamConnections = Gauge.builder()
                .name("strait_downstream_connections_active")
                .help("Open client connections, by listener")
                .labelNames("listener")
                .withoutExemplars()
                .register(registry);
        downstreamRequests = Gauge.builder()
                .name("strait_downstream_requests_active")
                .help("Requests in flight")
                .withoutExemplars()
                .register(registry);
        retries = Counter.builder()
                .name("strait_upstream_retries_total")
                .help("Upstream attempts retried, by route, cluster and the failure retried (5xx, gateway_error, connect_failure, reset, timeout)")
                .labelNames("route", "cluster", "reason")
                .withoutExemplars()
                .register(registry);
        filterErrors = Counter.builder()
                .name("strait_filter_errors_total")
                .help("Filter callbacks that failed (threw, or never completed within the route's timeout), by route"
                        + " (or listener:NAME), filter and phase (request, request_body, response, response_body, timeout)")
                .labelNames("route", "filter", "phase")
                .withoutExemplars()
                .register(registry);
        clientCalls = Counter.builder()
                .name("strait_cluster_client_calls_total")
                .help("Calls filters made to clusters (aggregation, GraphQL), by cluster and result (ok: a response,"
                        + " whatever its status; else why none: unknown_cluster, no_healthy_upstream, upstream_overloaded,"
                        + " upstream_connect_failure, upstream_timeout, upstream_response_too_large, upstream_reset)")
                .labelNames("cluster", "result")
                .withoutExemplars()
                .register(registry);
        configReloads = Counter.builder()
                .name("strait_config_reloads_total")
                .help("Configuration reloads, by result")
                .labelNames("result")
                .withoutExemplars()
                .register(registry);
        configReloads.initLabelValues("success");
        configReloads.initLabelValues("failure");
        accessLogDropped = Counter.builder()
                .name("strait_access_log_dropped_total")
                .help("Access log lines dropped because the writer fell behind")
                .withoutExemplars()
                .register(registry);
        upstreamConnections = gauge(UPSTREAM_CONNECTIONS, "Upstream connections, by state (active|idle)",
                "cluster", "endpoint", "state");
        upstreamPending = gauge(UPSTREAM_PENDING_REQUESTS, "Requests waiting for an upstream connection",
                "cluster");
        endpointHealthy = gauge(ENDPOINT_HEALTHY, "1 when the endpoint is healthy, else 0",
                "cluster", "endpoint");
        BuildInfo.register(registry);
    }

    /**
     * Resolves the data points of one route once (at config load). {@code null} names become
     * {@link #NONE}.
     */
    public RouteMetrics forRoute(String route, String cluster) {
        String r = route == null ? NONE : route;
        String c = cluster == null ? NONE : cluster;
        return new RouteMetrics(new Families(requests, requestDuration, upstreamDuration, requestBytes, responseBytes, retries), r, c);
    }

    /** The metrics a {@link RouteMetrics} takes its data points from. */
    record Families(Counter requests, DurationHistogram requestDuration, DurationHistogram upstreamDuration, Counter requestBytes,
                    Counter responseBytes, Counter retries) {}

    /** The open-connections gauge of one listener: {@code inc()} on accept, {@code dec()} on close. */
    public GaugeDataPoint downstreamConnections(String listener) {
        return downstreamConnections.labelValues(listener == null ? NONE : listener);
    }

    /** The in-flight requests gauge: {@code inc()} when a request starts, {@code dec()} when it ends. */
    public GaugeDataPoint downstreamRequestsActive() {
        return downstreamRequests;
    }

    /** Counts one configuration reload attempt. */
    public void configReloaded(boolean success) {
        configReloads.labelValues(success ? "success" : "failure").inc();
    }

    /** Pass to {@link AccessLog#create} as its drop callback. */
    /** Counts a failed filter callback ({@code strait_filter_errors_total}); off the hot path (failures only). */
    public void filterError(String owner, String filter, String phase) {
        filterErrors.labelValues(owner, filter, phase).inc();
    }

    /** A filter's call to a cluster ended: {@code result} is {@code ok} or the failure's error code. */
    public void clientCall(String cluster, String result) {
        clientCalls.labelValues(cluster, result).inc();
    }

    public Runnable accessLogDropCounter() {
        return accessLogDropped::inc;
    }

    /** {@code strait_upstream_connections{cluster,endpoint,state}}, fed by connection pools. */
    public GaugeFamily upstreamConnections() {
        return upstreamConnections;
    }

    /** {@code strait_upstream_pending_requests{cluster}}, fed by pools or clusters. */
    public GaugeFamily upstreamPendingRequests() {
        return upstreamPending;
    }

    /** {@code strait_endpoint_healthy{cluster,endpoint}}, fed by clusters. */
    public GaugeFamily endpointHealthy() {
        return endpointHealthy;
    }

    /**
     * The callback gauge {@code name}, created on first call. Calling again with the same labels
     * returns the same family (sources are then registered per key, see {@link GaugeFamily}).
     *
     * @throws IllegalArgumentException when the name exists with other label names, or is taken
     *     by a metric of another kind
     */
    public GaugeFamily gauge(String name, String help, String... labelNames) {
        List<String> labels = List.of(labelNames);
        GaugeFamily family = gauges.computeIfAbsent(name, n -> new GaugeFamily(registry, n, help, labels));
        if (!family.labelNames().equals(labels)) {
            throw new IllegalArgumentException("gauge " + name + " has labels " + family.labelNames()
                    + ", not " + labels);
        }
        return family;
    }

    /**
     * The callback counter {@code name} (give it with its {@code _total} suffix), created on first
     * call: a {@link GaugeFamily} whose sources report monotonic totals, exported as a counter.
     *
     * @throws IllegalArgumentException when the name exists with other label names
     */
    public GaugeFamily callbackCounter(String name, String help, String... labelNames) {
        List<String> labels = List.of(labelNames);
        GaugeFamily family = gauges.computeIfAbsent(name, n -> new GaugeFamily(registry, n, help, labels, true));
        if (!family.labelNames().equals(labels)) {
            throw new IllegalArgumentException("counter " + name + " has labels " + family.labelNames()
                    + ", not " + labels);
        }
        return family;
    }

    /** Writes every metric in the Prometheus text format ({@link #CONTENT_TYPE}). Blocking I/O. */
    public void scrape(OutputStream out) throws IOException {
        scrape(out, null);
    }

    /**
     * Writes every metric in the format the scraper's {@code Accept} header asks for: OpenMetrics text when it
     * names {@code application/openmetrics-text} (as Prometheus does), else the Prometheus text format. The first
     * scrape registers the JVM and process metrics: their JMX beans cost a few hundred classes and some memory,
     * which a sidecar nobody scrapes should not pay at start. Blocking I/O.
     *
     * @param accept the request's {@code Accept} header, or null
     * @return the {@code Content-Type} of what was written
     */
    public String scrape(OutputStream out, String accept) throws IOException {
        if (!jvmRegistered) registerJvmMetrics();
        if (wantsOpenMetrics(accept)) {
            openMetricsWriter.write(out, registry.scrape());
            return OPENMETRICS_CONTENT_TYPE;
        }
        writer.write(out, registry.scrape());
        return CONTENT_TYPE;
    }

    /** Whether {@code accept} (an {@code Accept} header, or null) asks for OpenMetrics. */
    public static boolean wantsOpenMetrics(String accept) {
        return accept != null && accept.contains("application/openmetrics-text");
    }

    /** Whether the JVM and process metrics are registered already (else the next scrape registers them). */
    public boolean jvmMetricsRegistered() {
        return jvmRegistered;
    }

    /**
     * Registers the JVM and process metrics now (idempotent): blocking class loading, for a thread that may
     * block, before a scrape on an event loop. The Prometheus client's JVM and process metrics, but for two: {@code JvmNativeMemoryMetrics} reports nothing
     * unless the JVM runs with {@code -XX:NativeMemoryTracking} and asks the platform MBean server for it (about
     * 900 classes more, some 5 MiB of a sidecar's RSS), and {@code JvmMemoryPoolAllocationMetrics} listens to every
     * GC's notification (JMX open types). What stays costs about 250 classes (the JDK's management beans).
     */
    public synchronized void registerJvmMetrics() {
        if (jvmRegistered) return;
        JvmThreadsMetrics.builder().register(registry);
        JvmBufferPoolMetrics.builder().register(registry);
        JvmClassLoadingMetrics.builder().register(registry);
        JvmCompilationMetrics.builder().register(registry);
        JvmGarbageCollectorMetrics.builder().register(registry);
        JvmMemoryMetrics.builder().register(registry);
        JvmRuntimeInfoMetric.builder().register(registry);
        ProcessMetrics.builder().register(registry);
        jvmRegistered = true;
    }

    /** The last failed exchanges, for the dashboard (fed on errors only). */
    public RecentErrors recentErrors() {
        return recentErrors;
    }

    /** The underlying registry, e.g. to add JVM metrics. */
    public PrometheusRegistry registry() {
        return registry;
    }
}
