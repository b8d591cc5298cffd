package io.strait.mesh.graph;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.strait.mesh.api.Callers;
import io.strait.mesh.api.v1.InboundEdge;
import io.strait.mesh.api.v1.ReporterKind;
import io.strait.mesh.api.v1.TelemetryReport;
import io.strait.mesh.api.v1.TelemetryReportResponse;
import io.strait.mesh.api.v1.TelemetryServiceGrpc;
import io.strait.mesh.identity.SpiffeId;
import io.strait.mesh.registry.Registration;
import io.strait.mesh.registry.Registry;
import io.strait.mesh.telemetry.LatencyBuckets;
import java.time.Duration;
import java.util.Optional;

/**
 * The telemetry reports' gRPC face ({@code TelemetryService} of telemetry.proto). The reporter is the caller's SVID
 * ({@link Callers#CALLER}; none: {@code UNAUTHENTICATED}), never a field of the report: a sidecar's report is for the
 * registered instance it names, which must be registered ({@code FAILED_PRECONDITION}: register first) by the
 * caller's own identity ({@code PERMISSION_DENIED}), so a workload cannot report for another. Its edges are added to
 * the window as calls to that instance's service. A gateway's report (it has no inbound in the mesh) carries no edge
 * and makes the caller's identity a gateway in the graph. A report that does not add up (a histogram of the wrong
 * size, counts that do not sum to the requests, more errors than requests, a caller that is no SPIFFE ID) is
 * {@code INVALID_ARGUMENT} and adds nothing.
 */
public final class TelemetryService extends TelemetryServiceGrpc.TelemetryServiceImplBase {
    /** A sidecar reports its inbound every 5 s by default: a graph a few seconds behind, at one small call per 5 s. */
    public static final Duration DEFAULT_REPORT_INTERVAL = Duration.ofSeconds(5);
    /** More callers than one workload has in one report: beyond it the report is refused. */
    static final int MAX_EDGES_PER_REPORT = 4096;

    private final Registry registry;
    private final TelemetryWindow window;
    private final Duration interval;

    public TelemetryService(Registry registry, TelemetryWindow window, Duration interval) {
        this.registry = registry;
        this.window = window;
        this.interval = interval;
    }

    @Override
    public void report(TelemetryReport request, StreamObserver<TelemetryReportResponse> out) {
        SpiffeId caller = Callers.CALLER.get();
        if (caller == null) {
            out.onError(Status.UNAUTHENTICATED.withDescription("a telemetry report needs the reporter's SVID (mutual TLS)").asRuntimeException());
            return;
        }
        Status refused = request.getKind() == ReporterKind.GATEWAY ? gateway(request, caller) : sidecar(request, caller);
        if (refused != null) {
            out.onError(refused.asRuntimeException());
            return;
        }
        out.onNext(TelemetryReportResponse.newBuilder().setReportIntervalMillis(interval.toMillis()).build());
        out.onCompleted();
    }

    private Status gateway(TelemetryReport request, SpiffeId caller) {
        if (request.getInboundCount() > 0) {
            return Status.INVALID_ARGUMENT.withDescription("inbound: a gateway has no inbound in the mesh; its calls are reported by the sidecars it calls");
        }
        if (request.getInstanceId().isEmpty() || request.getInstanceId().length() > 128) {
            return Status.INVALID_ARGUMENT.withDescription("instance_id: must be 1 to 128 characters");
        }
        window.gateway(caller.uri(), request.getInstanceId());
        return null;
    }

    private Status sidecar(TelemetryReport request, SpiffeId caller) {
        if (request.getKind() != ReporterKind.SIDECAR) return Status.INVALID_ARGUMENT.withDescription("kind: must be SIDECAR or GATEWAY");
        Optional<Registration> found = registry.get(request.getInstanceId());
        if (found.isEmpty()) {
            return Status.FAILED_PRECONDITION.withDescription("instance_id: " + request.getInstanceId() + " is not registered: register first");
        }
        Registration r = found.get();
        if (!r.owner().equals(caller)) {
            return Status.PERMISSION_DENIED.withDescription("instance_id: " + request.getInstanceId() + " is registered by another identity; "
                    + caller + " reports only for its own workloads");
        }
        if (request.getInboundCount() > MAX_EDGES_PER_REPORT) {
            return Status.INVALID_ARGUMENT.withDescription("inbound: at most " + MAX_EDGES_PER_REPORT + " callers per report");
        }
        for (int i = 0; i < request.getInboundCount(); i++) {
            String problem = problem(request.getInbound(i));
            if (problem != null) return Status.INVALID_ARGUMENT.withDescription("inbound[" + i + "]." + problem);
        }
        for (InboundEdge e : request.getInboundList()) {
            long[] buckets = new long[LatencyBuckets.COUNT];
            for (int k = 0; k < buckets.length; k++) buckets[k] = e.getLatencyBuckets(k);
            window.add(new TelemetryWindow.EdgeKey(r.workload().namespace(), r.workload().service(), e.getSourcePrincipal(), e.getMtls()),
                    e.getRequests(), e.getErrors(), buckets);
        }
        return null;
    }

    /** What does not add up in {@code e} ("field: why"), or null. */
    static String problem(InboundEdge e) {
        if (e.getLatencyBucketsCount() != LatencyBuckets.COUNT) {
            return "latency_buckets: must hold " + LatencyBuckets.COUNT + " counts (was " + e.getLatencyBucketsCount() + ")";
        }
        long sum = 0;
        for (long c : e.getLatencyBucketsList()) {
            if (c < 0) return "latency_buckets: counts are at most 2^63-1";
            sum += c;
            if (sum < 0) return "latency_buckets: counts are at most 2^63-1";
        }
        if (e.getRequests() < 0 || sum != e.getRequests()) return "latency_buckets: must sum to requests (" + e.getRequests() + "; was " + sum + ")";
        if (e.getErrors() < 0 || e.getErrors() > e.getRequests()) return "errors: must be at most requests";
        if (!e.getSourcePrincipal().isEmpty()) {
            try {
                SpiffeId.parse(e.getSourcePrincipal());
            } catch (IllegalArgumentException bad) {
                return "source_principal: not a SPIFFE ID: " + bad.getMessage();
            }
            if (!e.getMtls()) return "mtls: a caller with a principal came over mutual TLS";
        }
        return null;
    }
}
