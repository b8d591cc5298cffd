package io.strait.mesh.traces;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.strait.mesh.api.Callers;
import io.strait.mesh.api.v1.ExportSpansRequest;
import io.strait.mesh.api.v1.ExportSpansResponse;
import io.strait.mesh.api.v1.Span;
import io.strait.mesh.api.v1.TraceServiceGrpc;
import io.strait.mesh.identity.SpiffeId;
import io.strait.proxy.observe.trace.RecentTraces;
import java.util.concurrent.atomic.LongAdder;

/**
 * The control plane's side of {@code TraceService}: batches of spans from the mesh's sidecars and gateways into
 * its {@link RecentTraces}, which assembles each trace from the spans of all its hops. Only a caller with a
 * verified SVID may send ({@code UNAUTHENTICATED} otherwise); a batch over {@link #MAX_BATCH} spans or a span
 * without well-formed ids is {@code INVALID_ARGUMENT}. Runs on gRPC's threads: a span is a short insert.
 */
public final class TraceCollector extends TraceServiceGrpc.TraceServiceImplBase {
    /** The most spans one request may carry: a shipper sends at most {@link SpanShipper#BATCH}. */
    public static final int MAX_BATCH = 1000;
    /** Traces the control plane keeps: a few MB at most (see {@link RecentTraces#MAX_SPANS_PER_TRACE}). */
    public static final int RECENT_TRACES = 1000;

    private final RecentTraces traces;
    private final LongAdder received = new LongAdder();
    private final LongAdder droppedBySenders = new LongAdder();

    public TraceCollector(RecentTraces traces) {
        this.traces = traces;
    }

    @Override
    public void exportSpans(ExportSpansRequest request, StreamObserver<ExportSpansResponse> out) {
        SpiffeId caller = Callers.CALLER.get();
        if (caller == null) {
            out.onError(Status.UNAUTHENTICATED.withDescription("exportSpans: a workload certificate (SVID) is required")
                    .asRuntimeException());
            return;
        }
        if (request.getSpansCount() > MAX_BATCH) {
            out.onError(Status.INVALID_ARGUMENT.withDescription("spans: at most " + MAX_BATCH + " per request (was "
                    + request.getSpansCount() + ")").asRuntimeException());
            return;
        }
        for (int i = 0; i < request.getSpansCount(); i++) {
            Span s = request.getSpans(i);
            if (!hex(s.getTraceId(), 32) || !hex(s.getSpanId(), 16) || !(s.getParentSpanId().isEmpty() || hex(s.getParentSpanId(), 16))) {
                out.onError(Status.INVALID_ARGUMENT.withDescription("spans[" + i + "]: trace_id must be 32 and span ids 16 lower-case"
                        + " hex digits").asRuntimeException());
                return;
            }
        }
        for (Span s : request.getSpansList()) traces.accept(SpanMessages.fromMessage(s));
        received.add(request.getSpansCount());
        droppedBySenders.add(request.getDroppedSinceLast());
        out.onNext(ExportSpansResponse.getDefaultInstance());
        out.onCompleted();
    }

    /** Spans received so far. */
    public long received() {
        return received.sum();
    }

    /** Spans the senders said they dropped. */
    public long droppedBySenders() {
        return droppedBySenders.sum();
    }

    private static boolean hex(String s, int length) {
        if (s.length() != length) return false;
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) return false;
        }
        return true;
    }
}
