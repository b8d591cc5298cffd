package io.strait.proxy.observe.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports spans over OTLP/HTTP (protobuf) through the OpenTelemetry SDK: a {@link SpanSink}.
 *
 * <p>The proxy chooses trace and span ids itself (they go upstream in {@code traceparent} before
 * the span ends), while the SDK's span builder always asks its {@link IdGenerator}. So the
 * generator here hands out the ids of the span being built on the current thread, set just before
 * {@code startSpan()} (which calls the generator synchronously) and cleared right after. The parent
 * comes from a remote {@link SpanContext}; start and end times are explicit. The {@link
 * BatchSpanProcessor} only enqueues on {@code end()}; its own thread batches and exports.
 */
public final class OtlpSpans implements SpanSink {
    private static final Logger LOG = LoggerFactory.getLogger(OtlpSpans.class);

    /** Spans buffered for export: ~1 s at 2k sampled req/s; beyond that the processor drops. */
    private static final int MAX_QUEUE_SIZE = 2048;

    /** Spans per OTLP request: the SDK default, well under collectors' body limits. */
    private static final int MAX_EXPORT_BATCH_SIZE = 512;

    /** Export at least this often so traces show up quickly in the backend. */
    private static final Duration SCHEDULE_DELAY = Duration.ofSeconds(1);

    private static final String INSTRUMENTATION_SCOPE = "io.strait.proxy";

    /** Ids of the span being built on this thread; see the class comment. */
    private static final class PresetIds implements IdGenerator {
        private final ThreadLocal<SpanRecord> current = new ThreadLocal<>();

        @Override
        public String generateSpanId() {
            SpanRecord c = current.get();
            return c != null ? c.spanId() : IdGenerator.random().generateSpanId();
        }

        @Override
        public String generateTraceId() {
            SpanRecord c = current.get();
            return c != null ? c.traceId() : IdGenerator.random().generateTraceId();
        }
    }

    private final PresetIds ids = new PresetIds();
    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final String endpoint;
    private final LongAdder failed = new LongAdder();

    /** Exports to {@code settings.tracesEndpoint()}, which must be set. */
    public OtlpSpans(OtelSettings settings) {
        this.endpoint = settings.tracesEndpoint();
        OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint)
                .setTimeout(settings.timeout());
        settings.headers().forEach(b::addHeader);
        if (settings.compression() != null) b.setCompression(settings.compression());
        BatchSpanProcessor processor = BatchSpanProcessor.builder(b.build())
                .setMaxQueueSize(MAX_QUEUE_SIZE)
                .setMaxExportBatchSize(MAX_EXPORT_BATCH_SIZE)
                .setScheduleDelay(SCHEDULE_DELAY)
                .setExporterTimeout(settings.timeout())
                .build();
        AttributesBuilder resource = Attributes.builder();
        settings.resource().forEach(resource::put);
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(resource.build())))
                .setIdGenerator(ids)
                // Tracing decides sampling (parent flag or sampleRatio); only sampled spans get here.
                .setSampler(Sampler.alwaysOn())
                .addSpanProcessor(processor)
                .build();
        this.tracer = provider.get(INSTRUMENTATION_SCOPE);
    }

    /** The URL spans are sent to. */
    public String endpoint() {
        return endpoint;
    }

    /** Builds, ends and enqueues one span. Non-blocking; never throws. */
    @Override
    public void accept(SpanRecord r) {
        try {
            SpanBuilder builder = tracer.spanBuilder(r.name())
                    .setSpanKind(switch (r.kind()) {
                        case SERVER -> SpanKind.SERVER;
                        case CLIENT -> SpanKind.CLIENT;
                        case INTERNAL -> SpanKind.INTERNAL;
                    })
                    .setStartTimestamp(r.startEpochNanos(), TimeUnit.NANOSECONDS)
                    .setParent(parentContext(r));
            for (Map.Entry<String, Object> e : r.attributes().entrySet()) {
                switch (e.getValue()) {
                    case Long l -> builder.setAttribute(AttributeKey.longKey(e.getKey()), l);
                    case Integer i -> builder.setAttribute(AttributeKey.longKey(e.getKey()), (long) i);
                    case Double d -> builder.setAttribute(AttributeKey.doubleKey(e.getKey()), d);
                    case Boolean bool -> builder.setAttribute(AttributeKey.booleanKey(e.getKey()), bool);
                    case null -> { }
                    default -> builder.setAttribute(AttributeKey.stringKey(e.getKey()), String.valueOf(e.getValue()));
                }
            }
            Span span;
            ids.current.set(r);
            try {
                span = builder.startSpan();
            } finally {
                ids.current.remove();
            }
            if (r.status() == SpanRecord.Status.ERROR) span.setStatus(StatusCode.ERROR, r.statusMessage() == null ? "" : r.statusMessage());
            span.end(Math.max(r.startEpochNanos(), r.endEpochNanos()), TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            failed.increment();
            LOG.debug("span export failed", e);
        }
    }

    public long failedCount() {
        return failed.sum();
    }

    /** Exports what is buffered, waiting at most {@code timeout}; true when everything went out. Blocking. */
    public boolean close(Duration timeout) {
        CompletableResultCode result = provider.shutdown().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return result.isSuccess();
    }

    /** The caller's span as a remote parent, or the root context when this hop started the trace. */
    private static Context parentContext(SpanRecord r) {
        if (r.parentSpanId() == null) return Context.root();
        SpanContext parent = SpanContext.createFromRemoteParent(r.traceId(), r.parentSpanId(), TraceFlags.getSampled(),
                TraceState.getDefault());
        return Context.root().with(Span.wrap(parent));
    }
}
