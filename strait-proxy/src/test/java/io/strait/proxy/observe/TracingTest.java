package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.ObservabilityConfig;
import io.strait.proxy.observe.trace.RecentTraces;
import io.strait.proxy.observe.trace.SpanRecord;
import io.strait.proxy.observe.trace.SpanSinks;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TracingTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";
    private static final String SAMPLED = "00-" + TRACE + "-" + SPAN + "-01";
    private static final String NOT_SAMPLED = "00-" + TRACE + "-" + SPAN + "-00";

    private final List<SpanRecord> spans = new CopyOnWriteArrayList<>();

    /** Tracing that records into {@link #spans}, with {@code ratio} set (null: not set) and {@code env}. */
    private Tracing tracing(Double ratio, Map<String, String> env) {
        SpanSinks sinks = new SpanSinks();
        sinks.add(spans::add);
        return Tracing.create(new ObservabilityConfig.Tracing(null, "test", ratio, Map.of(), 100), env, sinks);
    }

    private Tracing tracing(double ratio) {
        return tracing(ratio, Map.of());
    }

    @Test
    void continuesAnIncomingTraceWithANewSpanAndTheParentsFlag() {
        // The parent's decision wins over the local ratio, both ways.
        TraceContext sampled = tracing(0.0).startServerSpan(SAMPLED, "vendor=abc,other=1");
        assertThat(sampled.traceId()).isEqualTo(TRACE);
        assertThat(sampled.parentSpanId()).isEqualTo(SPAN);
        assertThat(sampled.spanId()).matches("[0-9a-f]{16}").isNotEqualTo(SPAN);
        assertThat(sampled.sampled()).isTrue();
        assertThat(sampled.traceState()).isEqualTo("vendor=abc,other=1");
        assertThat(tracing(1.0).startServerSpan(NOT_SAMPLED)).as("not sampled: nothing is made, the header passes").isNull();
    }

    @Test
    void aSamplerThatIsNotParentBasedDecidesByItsRatio() {
        Tracing always = tracing(null, Map.of("OTEL_TRACES_SAMPLER", "always_on"));
        assertThat(always.startServerSpan(NOT_SAMPLED)).isNotNull();
        Tracing never = tracing(null, Map.of("OTEL_TRACES_SAMPLER", "traceidratio", "OTEL_TRACES_SAMPLER_ARG", "0"));
        assertThat(never.startServerSpan(SAMPLED)).isNull();
        assertThat(never.startServerSpan(null)).isNull();
        Tracing parentBased = tracing(null, Map.of("OTEL_TRACES_SAMPLER", "parentbased_always_off"));
        assertThat(parentBased.startServerSpan(SAMPLED)).isNotNull();
        assertThat(parentBased.startServerSpan(null)).isNull();
        // the config's ratio wins over the environment's sampler
        Tracing configured = tracing(1.0, Map.of("OTEL_TRACES_SAMPLER", "always_off"));
        assertThat(configured.startServerSpan(null)).isNotNull();
    }

    @Test
    void upstreamTraceparentCarriesThisHopsSpanOrAClientSpan() {
        Tracing tracing = tracing(1.0);
        TraceContext ctx = tracing.startServerSpan(SAMPLED);
        assertThat(tracing.traceparentForUpstream(ctx)).isEqualTo("00-" + TRACE + "-" + ctx.spanId() + "-01");
        String client = tracing.newSpanId();
        assertThat(ctx.traceparent(client)).isEqualTo("00-" + TRACE + "-" + client + "-01");
    }

    @Test
    void startsANewTraceWhenTheIncomingOneIsAbsentOrInvalid() {
        Tracing tracing = tracing(1.0);
        TraceContext none = tracing.startServerSpan(null);
        TraceContext invalid = tracing.startServerSpan("00-" + TRACE.toUpperCase() + "-" + SPAN + "-01", "vendor=abc");
        for (TraceContext ctx : new TraceContext[] {none, invalid}) {
            assertThat(ctx.traceId()).matches("[0-9a-f]{32}").isNotEqualTo(TRACE.toUpperCase()).isNotEqualTo(TRACE);
            assertThat(ctx.parentSpanId()).isNull();
            assertThat(ctx.traceState()).as("tracestate of an invalid traceparent is dropped").isNull();
            assertThat(TraceContext.parse(tracing.traceparentForUpstream(ctx)))
                    .isEqualTo(new TraceContext.Parent(ctx.traceId(), ctx.spanId(), true));
        }
        assertThat(none.traceId()).isNotEqualTo(invalid.traceId());
    }

    @Test
    void newTracesAreSampledBySampleRatio() {
        Tracing never = tracing(0.0);
        Tracing always = tracing(1.0);
        Tracing half = tracing(0.5);
        int sampledHalf = 0;
        for (int i = 0; i < 2000; i++) {
            assertThat(never.startServerSpan(null)).isNull();
            assertThat(always.startServerSpan(null)).isNotNull();
            if (half.startServerSpan(null) != null) sampledHalf++;
        }
        // Binomial(2000, 0.5): 800..1200 is more than 8 standard deviations wide.
        assertThat(sampledHalf).isBetween(800, 1200);
    }

    @Test
    void withOnlyTheRecentTracesAndNoRatioNewTracesAreBoundedPerSecond() {
        Tracing tracing = tracing(null, Map.of());
        int started = 0;
        long begin = System.nanoTime();
        for (int i = 0; i < 10_000; i++) if (tracing.startServerSpan(null) != null) started++;
        double seconds = (System.nanoTime() - begin) / 1e9;
        assertThat(started).isGreaterThanOrEqualTo(1)
                .isLessThanOrEqualTo((int) Math.ceil(seconds * Tracing.RECENT_ONLY_NEW_TRACES_PER_SECOND) + 1);
        assertThat(tracing.startServerSpan(SAMPLED)).as("a sampled caller is always followed").isNotNull();
    }

    @Test
    void nothingRecordsWithoutASinkOrAnExporter() {
        Tracing tracing = Tracing.create(new ObservabilityConfig.Tracing(null, "test", 1.0, Map.of(), 0), Map.of(), new SpanSinks());
        assertThat(tracing.recording()).isFalse();
        assertThat(tracing.startServerSpan(SAMPLED)).isNull();
        assertThat(tracing.startServerSpan(null)).isNull();
    }

    @Test
    void serverAndClientSpansReachTheSinks() {
        Tracing tracing = tracing(1.0);
        TraceContext ctx = tracing.startServerSpan(SAMPLED);
        String client = tracing.newSpanId();
        long now = System.currentTimeMillis() * 1_000_000;
        tracing.endClientSpan(ctx, client, "GET", "users", "127.0.0.1:9001", 2, now, now + 2_000_000, 503, null);
        tracing.endServerSpan(ctx, AccessLogTest.record("/", null));
        assertThat(spans).hasSize(2);
        SpanRecord c = spans.get(0);
        assertThat(c.kind()).isEqualTo(SpanRecord.Kind.CLIENT);
        assertThat(c.parentSpanId()).isEqualTo(ctx.spanId());
        assertThat(c.spanId()).isEqualTo(client);
        assertThat(c.status()).isEqualTo(SpanRecord.Status.ERROR);
        assertThat(c.attributes()).containsEntry("strait.attempt", 2L).containsEntry("http.request.resend_count", 1L)
                .containsEntry("server.address", "127.0.0.1").containsEntry("server.port", 9001L)
                .containsEntry("http.response.status_code", 503L).containsEntry("strait.cluster", "users");
        SpanRecord s = spans.get(1);
        assertThat(s.kind()).isEqualTo(SpanRecord.Kind.SERVER);
        assertThat(s.parentSpanId()).isEqualTo(SPAN);
        assertThat(s.service()).isEqualTo("test");
        assertThat(s.name()).isEqualTo("GET users");
        assertThat(s.attributes()).containsEntry("http.response.status_code", 200L);
        RecentTraces recent = new RecentTraces(10);
        spans.forEach(recent::accept);
        assertThat(recent.trace(TRACE)).hasSize(2);
    }
}
