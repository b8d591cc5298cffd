package io.strait.proxy.observe;

import io.opentelemetry.api.common.AttributeKey;
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
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.IdGenerator;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exports this proxy's SERVER spans over OTLP/HTTP (protobuf) through the OpenTelemetry SDK.
 *
 * <p>The proxy chooses trace and span ids itself (they go upstream in {@code traceparent} before
 * the span ends), while the SDK's span builder always asks its {@link IdGenerator}. So the
 * generator here hands out the ids of the span being built on the current thread, set just before
 * {@code startSpan()} (which calls the generator synchronously) and cleared right after. The parent
 * comes from a remote {@link SpanContext}; start and end times are explicit. The {@link
 * BatchSpanProcessor} only enqueues on {@code end()}; its own thread batches and exports.
 */
final class OtlpSpans {
    private static final Logger LOG = LoggerFactory.getLogger(OtlpSpans.class);

    /** OTLP/HTTP traces path, appended to the configured collector base URL. */
    static final String TRACES_PATH = "/v1/traces";

    /** Spans buffered for export: ~1 s at 2k sampled req/s; beyond that the processor drops. */
    private static final int MAX_QUEUE_SIZE = 2048;

    /** Spans per OTLP request: the SDK default, well under collectors' body limits. */
    private static final int MAX_EXPORT_BATCH_SIZE = 512;

    /** Export at least this often so traces show up quickly in the backend. */
    private static final Duration SCHEDULE_DELAY = Duration.ofSeconds(1);

    /** One OTLP request may take this long before it is abandoned. */
    private static final Duration EXPORT_TIMEOUT = Duration.ofSeconds(10);

    private static final String INSTRUMENTATION_SCOPE = "io.strait.proxy";

    private static final AttributeKey<String> HTTP_REQUEST_METHOD = AttributeKey.stringKey("http.request.method");
    private static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    private static final AttributeKey<String> HTTP_ROUTE = AttributeKey.stringKey("http.route");
    private static final AttributeKey<Long> HTTP_RESPONSE_STATUS_CODE = AttributeKey.longKey("http.response.status_code");
    private static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    private static final AttributeKey<String> STRAIT_CLUSTER = AttributeKey.stringKey("strait.cluster");
    private static final AttributeKey<String> STRAIT_UPSTREAM = AttributeKey.stringKey("strait.upstream");
    private static final AttributeKey<String> SERVICE_NAME = AttributeKey.stringKey("service.name");

    /** Ids of the span being built on this thread; see the class comment. */
    private static final class PresetIds implements IdGenerator {
        private final ThreadLocal<TraceContext> current = new ThreadLocal<>();

        @Override
        public String generateSpanId() {
            TraceContext c = current.get();
            return c != null ? c.spanId() : IdGenerator.random().generateSpanId();
        }

        @Override
        public String generateTraceId() {
            TraceContext c = current.get();
            return c != null ? c.traceId() : IdGenerator.random().generateTraceId();
        }
    }

    private final PresetIds ids = new PresetIds();
    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final LongAdder failed = new LongAdder();

    OtlpSpans(String endpoint, String serviceName) {
        String base = endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint;
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(base + TRACES_PATH)
                .setTimeout(EXPORT_TIMEOUT)
                .build();
        BatchSpanProcessor processor = BatchSpanProcessor.builder(exporter)
                .setMaxQueueSize(MAX_QUEUE_SIZE)
                .setMaxExportBatchSize(MAX_EXPORT_BATCH_SIZE)
                .setScheduleDelay(SCHEDULE_DELAY)
                .setExporterTimeout(EXPORT_TIMEOUT)
                .build();
        this.provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.builder()
                        .put(SERVICE_NAME, serviceName == null || serviceName.isBlank() ? "strait" : serviceName)
                        .build()))
                .setIdGenerator(ids)
                // Tracing decides sampling (parent flag or sampleRatio); only sampled spans get here.
                .setSampler(Sampler.alwaysOn())
                .addSpanProcessor(processor)
                .build();
        this.tracer = provider.get(INSTRUMENTATION_SCOPE);
    }

    /** Builds, ends and enqueues one span. Non-blocking; never throws. */
    void export(TraceContext context, ExchangeRecord r) {
        try {
            String method = r.method() == null ? "HTTP" : r.method();
            SpanBuilder builder = tracer.spanBuilder(r.route() == null ? method : method + ' ' + r.route())
                    .setSpanKind(SpanKind.SERVER)
                    .setStartTimestamp(r.startEpochMillis(), TimeUnit.MILLISECONDS)
                    .setParent(parentContext(context));
            setIfPresent(builder, HTTP_REQUEST_METHOD, r.method());
            setIfPresent(builder, URL_PATH, r.path());
            setIfPresent(builder, HTTP_ROUTE, r.route());
            if (r.status() > 0) builder.setAttribute(HTTP_RESPONSE_STATUS_CODE, (long) r.status());
            setIfPresent(builder, SERVER_ADDRESS, r.host());
            setIfPresent(builder, STRAIT_CLUSTER, r.cluster());
            setIfPresent(builder, STRAIT_UPSTREAM, r.upstream());
            Span span;
            ids.current.set(context);
            try {
                span = builder.startSpan();
            } finally {
                ids.current.remove();
            }
            if (r.status() >= 500 || (r.status() == 0 && r.error() != null)) {
                span.setStatus(StatusCode.ERROR, r.error() == null ? "" : r.error());
            }
            long startNanos = TimeUnit.MILLISECONDS.toNanos(r.startEpochMillis());
            span.end(startNanos + Math.max(0, r.durationNanos()), TimeUnit.NANOSECONDS);
        } catch (RuntimeException e) {
            failed.increment();
            LOG.debug("span export failed", e);
        }
    }

    long failedCount() {
        return failed.sum();
    }

    boolean close(Duration timeout) {
        CompletableResultCode result = provider.shutdown().join(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return result.isSuccess();
    }

    /** The caller's span as a remote parent, or the root context when this hop started the trace. */
    private static Context parentContext(TraceContext c) {
        if (c.parentSpanId() == null) return Context.root();
        SpanContext parent = SpanContext.createFromRemoteParent(
                c.traceId(), c.parentSpanId(), c.sampled() ? TraceFlags.getSampled() : TraceFlags.getDefault(),
                TraceState.getDefault());
        return Context.root().with(Span.wrap(parent));
    }

    private static void setIfPresent(SpanBuilder builder, AttributeKey<String> key, String value) {
        if (value != null) builder.setAttribute(key, value);
    }
}
