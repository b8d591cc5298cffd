package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.strait.config.model.ObservabilityConfig;
import org.junit.jupiter.api.Test;

class TracingTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";
    private static final String SAMPLED = "00-" + TRACE + "-" + SPAN + "-01";
    private static final String NOT_SAMPLED = "00-" + TRACE + "-" + SPAN + "-00";

    private static Tracing tracing(double ratio) {
        return Tracing.create(new ObservabilityConfig.Tracing(null, "test", ratio));
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

        TraceContext notSampled = tracing(1.0).startServerSpan(NOT_SAMPLED);
        assertThat(notSampled.traceId()).isEqualTo(TRACE);
        assertThat(notSampled.sampled()).isFalse();
        assertThat(notSampled.traceState()).isNull();
    }

    @Test
    void upstreamTraceparentCarriesThisHopsSpan() {
        Tracing tracing = tracing(1.0);
        TraceContext ctx = tracing.startServerSpan(SAMPLED);
        assertThat(tracing.traceparentForUpstream(ctx)).isEqualTo("00-" + TRACE + "-" + ctx.spanId() + "-01");
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
            assertThat(never.startServerSpan(null).sampled()).isFalse();
            assertThat(always.startServerSpan(null).sampled()).isTrue();
            if (half.startServerSpan(null).sampled()) sampledHalf++;
        }
        // Binomial(2000, 0.5): 800..1200 is more than 8 standard deviations wide.
        assertThat(sampledHalf).isBetween(800, 1200);
    }

    @Test
    void withoutAnEndpointNothingIsExported() {
        Tracing tracing = tracing(1.0);
        assertThat(tracing.exporting()).isFalse();
        TraceContext ctx = tracing.startServerSpan(SAMPLED);
        tracing.endSpan(ctx, AccessLogTest.record("/", null));
        assertThat(tracing.failedSpanCount()).isZero();
        assertThat(tracing.close(java.time.Duration.ofMillis(1))).isTrue();
    }

}
