package io.strait.mesh.telemetry;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.Attribute;
import io.netty.util.AttributeKey;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.identity.SvidException;
import io.strait.mesh.identity.SvidVerifier;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.filter.HttpFilter;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts each call's answer (the app's, or the sidecar's own: a denial, a 503) when its response head goes out, in
 * {@code strait_mesh_requests_total} and {@code strait_mesh_request_duration_seconds}, with Istio's labels. On the
 * inbound the caller's series are found once per connection (its certificate never changes) and kept in the
 * connection; each series holds its data points per response code, made on the code's first use: a request costs an
 * array read, two adder increments and a bucket search, never a label lookup or a string.
 */
final class MeshMetricsFilter implements HttpFilter {
    /** A connection's caller series, with the filter they were made by (a reload makes a new filter, with new labels). */
    private static final AttributeKey<Cached> CALLER = AttributeKey.valueOf("strait.mesh.metricsCaller");
    private static final int MAX_CODE = 599;

    private record Cached(MeshMetricsFilter owner, Series series) {}

    private final MeshMetricsConfig config;
    private final MeshMetrics metrics;
    /** Outbound: the route's one series. */
    private final Series outbound;
    /** Inbound: per caller (principal, or none; mTLS or not). */
    private final Map<InboundEdges.Caller, Series> callers = new ConcurrentHashMap<>();

    MeshMetricsFilter(MeshMetricsConfig config, MeshMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        MeshMetricsConfig.Party local = config.local();
        MeshMetricsConfig.Party peer = config.peer();
        this.outbound = config.inbound() ? null : new Series(metrics, null, MeshMetricsConfig.SOURCE, local.workload(), local.namespace(),
                local.principal(), peer.workload(), peer.namespace(), peer.principal(), config.service(), MeshMetrics.MUTUAL_TLS);
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        return FilterResult.CONTINUE;
    }

    @Override
    public void onResponse(RequestContext ctx, HttpResponse response) {
        Series s = outbound != null ? outbound : caller(ctx);
        s.record(response.status().code(), System.nanoTime() - ctx.startNanos());
    }

    private Series caller(RequestContext ctx) {
        Attribute<Cached> a = ctx.connectionAttr(CALLER);
        Cached c = a.get();
        if (c == null || c.owner() != this) {
            X509Certificate cert = ctx.peerCertificate();
            // callers are the mesh's identities; past the bound (never in a real mesh) new ones count under none
            String principal = callers.size() < InboundEdges.MAX_CALLERS ? principal(cert) : "";
            a.set(c = new Cached(this, callers.computeIfAbsent(new InboundEdges.Caller(principal, cert != null), this::series)));
        }
        return c.series();
    }

    /** The caller's SPIFFE ID, or "" without a client certificate (or one that is no SVID: the peerauth filter refuses it). */
    private static String principal(X509Certificate cert) {
        if (cert == null) return "";
        try {
            return SvidVerifier.identity(cert).uri();
        } catch (SvidException e) {
            return "";
        }
    }

    private Series series(InboundEdges.Caller caller) {
        MeshMetricsConfig.Party local = config.local();
        String principal = caller.principal().isEmpty() ? MeshMetricsConfig.UNKNOWN : caller.principal();
        String workload = MeshMetricsConfig.UNKNOWN;
        String namespace = MeshMetricsConfig.UNKNOWN;
        if (!caller.principal().isEmpty()) {
            SpiffeId id = SpiffeId.parse(caller.principal());
            namespace = id.namespace();
            workload = config.workloads().getOrDefault(caller.principal(), id.account());
        }
        return new Series(metrics, metrics.inbound().of(caller.principal(), caller.mtls()), MeshMetricsConfig.DESTINATION, workload,
                namespace, principal, local.workload(), local.namespace(), local.principal(), config.service(),
                caller.mtls() ? MeshMetrics.MUTUAL_TLS : MeshMetrics.NONE);
    }

    /** One label set but the code: its data points per response code, and (inbound) the caller's edge for the report. */
    private static final class Series {
        private final MeshMetrics metrics;
        private final EdgeStats edge;
        private final String[] labels;
        private final AtomicReferenceArray<CounterDataPoint> counts = new AtomicReferenceArray<>(MAX_CODE + 1);
        private final AtomicReferenceArray<DistributionDataPoint> durations = new AtomicReferenceArray<>(MAX_CODE + 1);

        Series(MeshMetrics metrics, EdgeStats edge, String reporter, String sourceWorkload, String sourceNamespace, String sourcePrincipal,
                String destinationWorkload, String destinationNamespace, String destinationPrincipal, String destinationService,
                String security) {
            this.metrics = metrics;
            this.edge = edge;
            this.labels = new String[] {reporter, sourceWorkload, sourceNamespace, sourcePrincipal, destinationWorkload,
                destinationNamespace, destinationPrincipal, destinationService, null, security};
        }

        void record(int status, long nanos) {
            int code = status < 0 || status > MAX_CODE ? 0 : status;
            CounterDataPoint c = counts.get(code);
            DistributionDataPoint d = durations.get(code);
            if (c == null || d == null) {
                String[] l = labels.clone();
                l[8] = Integer.toString(code);
                counts.set(code, c = metrics.requests().labelValues(l));
                durations.set(code, d = metrics.duration().labelValues(l));
            }
            c.inc();
            long n = Math.max(0, nanos);
            d.observe(n / 1e9);
            if (edge != null) edge.record(LatencyBuckets.index(n), code >= 500);
        }
    }
}
