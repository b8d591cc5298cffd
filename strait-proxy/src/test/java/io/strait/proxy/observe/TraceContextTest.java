package io.strait.proxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TraceContextTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String SPAN = "00f067aa0ba902b7";

    @ParameterizedTest
    @CsvSource({
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, true",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00, false",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-03, true",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-02, false",
        // a later version: read by its version-00 prefix, more fields after a dash are allowed
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01, true",
        "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-will-be-like, true",
    })
    void parsesValidHeaders(String header, boolean sampled) {
        TraceContext.Parent parent = TraceContext.parse(header);
        assertThat(parent).isEqualTo(new TraceContext.Parent(TRACE, SPAN, sampled));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // version ff is forbidden
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", // upper-case trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01", // upper-case span id
        "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // upper-case version
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A", // upper-case flags
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01", // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", // all-zero span id
        "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",  // trace id too short
        "00-4bf92f3577b34da6a3ce929d0e0e47366-00f067aa0ba902b7-01", // trace id too long
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",  // span id too short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",  // flags too short
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-", // version 00 must be exactly 55
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-010",
        "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", // wrong separator
        "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7_01",
        "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", // not hex
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x", // later version: extra must follow a dash
        "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
    })
    void rejectsInvalidHeaders(String header) {
        assertThat(TraceContext.parse(header)).isNull();
    }

    @Test
    void formatsVersion00() {
        assertThat(new TraceContext(TRACE, SPAN, null, true, null).traceparent())
                .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
        assertThat(new TraceContext(TRACE, SPAN, "1111111111111111", false, "a=b").traceparent())
                .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    }

    @Test
    void generatedIdsAreWellFormedAndRoundTrip() {
        for (int i = 0; i < 1000; i++) {
            String trace = TraceContext.newTraceId();
            String span = TraceContext.newSpanId();
            assertThat(trace).matches("[0-9a-f]{32}").isNotEqualTo("0".repeat(32));
            assertThat(span).matches("[0-9a-f]{16}").isNotEqualTo("0".repeat(16));
            String header = new TraceContext(trace, span, null, i % 2 == 0, null).traceparent();
            assertThat(TraceContext.parse(header)).isEqualTo(new TraceContext.Parent(trace, span, i % 2 == 0));
        }
    }
}
