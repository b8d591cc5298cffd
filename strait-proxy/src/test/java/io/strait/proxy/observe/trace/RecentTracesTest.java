package io.strait.proxy.observe.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The recent traces' bounds, assembly and summaries, and the JSON of the admin API's contract. */
class RecentTracesTest {
    private static SpanRecord span(String trace, String id, String parent, String service, long start, SpanRecord.Status status) {
        return new SpanRecord(trace, id, parent, "GET " + service, parent == null ? SpanRecord.Kind.SERVER : SpanRecord.Kind.CLIENT,
                service, start, start + 2_000_000, status, null, Map.of());
    }

    private static String trace(int i) {
        return String.format("%032x", i);
    }

    private static String id(int i) {
        return String.format("%016x", i);
    }

    @Test
    void keepsTheLastTracesAndBoundsTheirSpans() {
        RecentTraces recent = new RecentTraces(3);
        for (int i = 1; i <= 5; i++) recent.accept(span(trace(i), id(i), null, "gw", i * 1_000_000_000L, SpanRecord.Status.UNSET));
        assertThat(recent.size()).isEqualTo(3);
        assertThat(recent.trace(trace(1))).isNull();
        assertThat(recent.list(10)).extracting(RecentTraces.Summary::traceId).containsExactly(trace(5), trace(4), trace(3));
        assertThat(recent.list(2)).hasSize(2);

        // one trace cannot hold more than MAX_SPANS_PER_TRACE, nor all traces more than capacity x the average
        RecentTraces big = new RecentTraces(100);
        for (int i = 0; i < RecentTraces.MAX_SPANS_PER_TRACE + 5; i++) big.accept(span(trace(1), id(i + 1), id(999), "gw", i, SpanRecord.Status.UNSET));
        assertThat(big.trace(trace(1))).hasSize(RecentTraces.MAX_SPANS_PER_TRACE);
        assertThat(big.droppedSpans()).isEqualTo(5);
        RecentTraces small = new RecentTraces(2);
        for (int i = 0; i < 20; i++) small.accept(span(trace(1), id(i + 1), id(999), "gw", i, SpanRecord.Status.UNSET));
        for (int i = 0; i < 20; i++) small.accept(span(trace(2), id(i + 1), id(999), "gw", i, SpanRecord.Status.UNSET));
        assertThat(small.trace(trace(1))).as("evicted: 40 spans > 2 x 16").isNull();
        assertThat(small.trace(trace(2))).hasSize(20);

        small.capacity(0);
        assertThat(small.size()).isZero();
        small.accept(span(trace(9), id(1), null, "gw", 0, SpanRecord.Status.UNSET));
        assertThat(small.size()).isZero();
    }

    @Test
    void theSummaryNamesTheRootEveryServiceAndAnyError() {
        RecentTraces recent = new RecentTraces(10);
        String t = trace(7);
        long s = 1_733_450_000_123_000_000L;
        recent.accept(span(t, id(3), id(2), "orders", s + 3_000_000, SpanRecord.Status.ERROR));
        recent.accept(span(t, id(2), id(1), "gateway", s + 1_000_000, SpanRecord.Status.UNSET));
        recent.accept(span(t, id(1), null, "gateway", s, SpanRecord.Status.UNSET));
        RecentTraces.Summary summary = recent.list(1).get(0);
        assertThat(summary.rootName()).isEqualTo("GET gateway");
        assertThat(summary.rootService()).isEqualTo("gateway");
        assertThat(summary.startEpochMillis()).isEqualTo(1_733_450_000_123L);
        assertThat(summary.durationMillis()).isEqualTo(5.0);
        assertThat(summary.spanCount()).isEqualTo(3);
        assertThat(summary.services()).containsExactly("gateway", "orders");
        assertThat(summary.error()).isTrue();
        List<SpanRecord> spans = recent.trace(t);
        assertThat(spans).extracting(SpanRecord::spanId).containsExactly(id(1), id(2), id(3));

        // a trace whose root did not report (its caller is outside): the earliest span whose parent is not here
        RecentTraces partial = new RecentTraces(10);
        partial.accept(span(t, id(5), id(255), "orders", s + 9, SpanRecord.Status.UNSET));
        partial.accept(span(t, id(4), id(238), "users", s + 1, SpanRecord.Status.UNSET));
        assertThat(partial.list(5).get(0).rootService()).isEqualTo("users");
    }

    @Test
    void theJsonFollowsTheContract() {
        RecentTraces recent = new RecentTraces(10);
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("http.request.method", "GET");
        attributes.put("http.response.status_code", 200L);
        recent.accept(new SpanRecord(trace(3), id(1), null, "GET users", SpanRecord.Kind.SERVER, "strait", 1_000_000_000L,
                1_012_300_000L, SpanRecord.Status.UNSET, null, attributes));
        TracesJson.Answer list = TracesJson.answer(recent, "/traces", "limit=5");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body().replaceAll("\\s", "")).isEqualTo("{\"traces\":[{\"traceId\":\"" + trace(3) + "\",\"rootName\":\"GETusers\","
                + "\"rootService\":\"strait\",\"startEpochMillis\":1000,\"durationMillis\":12.3,\"spanCount\":1,\"services\":[\"strait\"],"
                + "\"error\":false}]}");
        TracesJson.Answer one = TracesJson.answer(recent, "/traces/" + trace(3), null);
        assertThat(one.body().replaceAll("\\s", "")).isEqualTo("{\"traceId\":\"" + trace(3) + "\",\"spans\":[{\"spanId\":\"" + id(1) + "\","
                + "\"parentSpanId\":null,\"name\":\"GETusers\",\"kind\":\"SERVER\",\"service\":\"strait\",\"startEpochNanos\":1000000000,"
                + "\"endEpochNanos\":1012300000,\"durationMillis\":12.3,\"status\":\"UNSET\",\"attributes\":{\"http.request.method\":\"GET\","
                + "\"http.response.status_code\":200}}]}");
        assertThat(TracesJson.answer(recent, "/traces/nope", null).status()).isEqualTo(404);
        assertThat(TracesJson.answer(recent, "/traces", "limit=0").status()).isEqualTo(400);
        assertThat(TracesJson.answer(recent, "/traces", "other=1").status()).isEqualTo(200);
    }
}
