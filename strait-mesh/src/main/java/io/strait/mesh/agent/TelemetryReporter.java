package io.strait.mesh.agent;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.strait.mesh.api.v1.InboundEdge;
import io.strait.mesh.api.v1.ReporterKind;
import io.strait.mesh.api.v1.TelemetryReport;
import io.strait.mesh.api.v1.TelemetryReportResponse;
import io.strait.mesh.graph.TelemetryService;
import io.strait.mesh.telemetry.InboundEdges;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the control plane a telemetry report ({@code TelemetryService.Report}) every report interval, on the agent's
 * own thread, over the agent's mutual TLS channel: a sidecar's inbound calls per caller since the previous report, or
 * a gateway's "I am a gateway". The interval is the control plane's ({@code telemetry.reportInterval}, in each answer).
 * A report the control plane does not take (away, or the workload not registered yet) is dropped: the graph is a live
 * view, and the sidecar's own {@code /metrics} keep every count.
 */
final class TelemetryReporter {
    private static final Logger log = LoggerFactory.getLogger(TelemetryReporter.class);

    private final ControlPlaneClient client;
    private final ScheduledExecutorService thread;
    private final ReporterKind kind;
    private final String instanceId;
    /** The edges to report (drained: each call once); none for a gateway. */
    private final Supplier<List<InboundEdges.Edge>> edges;
    private final String who;
    private volatile Duration interval = TelemetryService.DEFAULT_REPORT_INTERVAL;
    private volatile boolean closed;
    private boolean failing;

    TelemetryReporter(ControlPlaneClient client, ScheduledExecutorService thread, ReporterKind kind, String instanceId,
            Supplier<List<InboundEdges.Edge>> edges, String who) {
        this.client = client;
        this.thread = thread;
        this.kind = kind;
        this.instanceId = instanceId;
        this.edges = edges;
        this.who = who;
    }

    /** Reports now (after what the thread runs already: a sidecar's registration), then every interval. */
    void start() {
        thread.execute(this::report);
    }

    void close() {
        closed = true;
    }

    private void report() {
        if (closed) return;
        try {
            TelemetryReport.Builder r = TelemetryReport.newBuilder().setKind(kind).setInstanceId(instanceId);
            for (InboundEdges.Edge e : edges.get()) {
                InboundEdge.Builder b = InboundEdge.newBuilder().setSourcePrincipal(e.caller().principal()).setMtls(e.caller().mtls())
                        .setRequests(e.stats().requests()).setErrors(e.stats().errors());
                for (long c : e.stats().buckets()) b.addLatencyBuckets(c);
                r.addInbound(b);
            }
            TelemetryReportResponse answer = client.report(r.build());
            if (answer.getReportIntervalMillis() > 0) interval = Duration.ofMillis(answer.getReportIntervalMillis());
            if (failing) log.info("{}: telemetry reports are taken again", who);
            failing = false;
        } catch (StatusRuntimeException e) {
            if (closed) return;
            Status.Code code = e.getStatus().getCode();
            boolean bug = code == Status.Code.INVALID_ARGUMENT || code == Status.Code.PERMISSION_DENIED;
            if (bug || !failing) {
                if (bug) log.warn("{}: the control plane refused a telemetry report: {}", who, MeshAgent.describe(e));
                else log.debug("{}: telemetry report not taken ({}); dropped", who, MeshAgent.describe(e));
            }
            failing = true;
        } catch (RuntimeException e) {
            log.warn("{}: telemetry report failed: {}", who, e.toString());
        } finally {
            if (!closed) thread.schedule(this::report, interval.toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
