package io.strait.filters.transform;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.filters.headers.ValueTemplate;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.MessageBody;
import io.strait.proxy.filter.RequestContext;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/** The transform filter's pieces called directly: JSON pointer edits, query encoding, bounded gzip, counted fallbacks. */
class TransformFilterTest {
    private static ValueTemplate t(String s) {
        List<String> errors = new ArrayList<>();
        ValueTemplate v = ValueTemplate.parse(s, Set.of("id"), errors);
        assertThat(errors).isEmpty();
        return v;
    }

    private static Map<String, ValueTemplate> values(String... kv) {
        Map<String, ValueTemplate> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], t(kv[i + 1]));
        return m;
    }

    private static RequestContext ctx(String query) {
        RequestContext c = new RequestContext(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/x"),
                new InetSocketAddress("10.1.2.3", 5000), false, "HTTP/1.1");
        c.query(query);
        c.routeName("r");
        c.requestId("rid");
        c.pathParams(Map.of("id", "7"));
        return c;
    }

    private static TransformConfig.Body body(List<String> remove, Map<String, String> rename, Map<String, ValueTemplate> replace,
            Map<String, ValueTemplate> add, Map<String, ValueTemplate> append) {
        return new TransformConfig.Body(1024, null, remove, rename, replace, add, append);
    }

    private static JsonNode edit(TransformConfig.Body b, String json, String query) throws Exception {
        JsonNode tree = JsonEdits.MAPPER.readTree(json);
        JsonEdits.of(b).apply(tree, ctx(query));
        return tree;
    }

    private static JsonNode json(String s) throws Exception {
        return JsonEdits.MAPPER.readTree(s);
    }

    @Test
    void pointersUnescapeAndReachIntoArrays() throws Exception {
        var b = body(List.of("/a~1b", "/list/0", "/m~0n"), Map.of("/obj/x", "/obj/y"), values("/list/1", "changed"),
                values("/list/-", "end", "/list/9", "far", "/deep/er/est", "%path_param.id%"), Map.of());
        assertThat(edit(b, "{\"a/b\":1,\"m~n\":2,\"list\":[\"x\",\"y\",\"z\"],\"obj\":{\"x\":{\"k\":[1]}}}", null)).isEqualTo(json(
                "{\"list\":[\"y\",\"changed\",\"end\"],\"obj\":{\"y\":{\"k\":[1]}},\"deep\":{\"er\":{\"est\":\"7\"}}}"));
    }

    @Test
    void replaceOnlyChangesWhatExistsAndAddOnlyWhatIsAbsent() throws Exception {
        var b = body(List.of(), Map.of(), values("/present", "new", "/missing", "x", "/nul", "filled"),
                values("/present", "not-added", "/nul", "not-added", "/fresh", "added"), Map.of());
        // a JSON null is present: replace changes it, add leaves it
        assertThat(edit(b, "{\"present\":\"old\",\"nul\":null}", null)).isEqualTo(json(
                "{\"present\":\"new\",\"nul\":\"filled\",\"fresh\":\"added\"}"));
    }

    @Test
    void appendMakesListsAsKongDoes() throws Exception {
        var b = body(List.of(), Map.of(), Map.of(), Map.of(), values("/list", "x", "/scalar", "x", "/missing", "x", "/in/new", "x"));
        assertThat(edit(b, "{\"list\":[1],\"scalar\":\"s\"}", null)).isEqualTo(json(
                "{\"list\":[1,\"x\"],\"scalar\":[\"s\",\"x\"],\"missing\":[\"x\"],\"in\":{\"new\":[\"x\"]}}"));
    }

    @Test
    void valuesAreJsonLiteralsOnlyWithoutVariables() throws Exception {
        var b = body(List.of(), Map.of(), Map.of(), values("/n", "50", "/b", "true", "/z", "null", "/o", "{\"k\":[1]}", "/s", "\"50\"",
                "/plain", "user", "/pct", "100%%", "/var", "%query.v%", "/varnum", "%query.n%", "/none", "%query.absent%",
                "/utf", "%query.u%"), Map.of());
        JsonNode out = edit(b, "{}", "v={\"inject\":1}&n=5&u=%E2%9C%93");
        assertThat(out).isEqualTo(json("{\"n\":50,\"b\":true,\"z\":null,\"o\":{\"k\":[1]},\"s\":\"50\",\"plain\":\"user\",\"pct\":\"100%\","
                + "\"var\":\"{\\\"inject\\\":1}\",\"varnum\":\"5\",\"utf\":\"\u2713\"}"));
        // a constant object is copied into each body: a later edit of one body never changes the next
        var nested = body(List.of(), Map.of(), Map.of(), values("/o", "{\"k\":1}", "/o/extra", "x"), Map.of());
        assertThat(edit(nested, "{}", null)).isEqualTo(json("{\"o\":{\"k\":1,\"extra\":\"x\"}}"));
        assertThat(edit(body(List.of(), Map.of(), Map.of(), values("/o", "{\"k\":1}"), Map.of()), "{}", null)).isEqualTo(json("{\"o\":{\"k\":1}}"));
    }

    @Test
    void changesWhoseParentCannotBeMadeAreSkipped() throws Exception {
        var b = body(List.of("/s/x"), Map.of("/list", "/s/moved"), Map.of(), values("/s/x", "a", "/list/0/x", "b", "/obj/-", "c"),
                values("/s/y", "d"));
        String in = "{\"s\":\"text\",\"list\":[{\"x\":1}],\"obj\":{}}";
        assertThat(edit(b, in, null)).isEqualTo(json(in));
        // a document that is not an object or array: nothing to edit
        assertThat(edit(b, "42", null)).isEqualTo(json("42"));
        // a change that is skipped leaves no parent made for it behind: '-' needs an existing array, a value whose
        // variables have none is not put, a rename whose target needs an array that is absent stays where it was
        var skipped = body(List.of(), Map.of("/k", "/made/-"), Map.of(), values("/tags/-", "new", "/meta/who", "%query.absent%",
                "/deep/er/-", "x"), values("/audit/log", "%query.absent%"));
        assertThat(edit(skipped, "{\"a\":1,\"k\":2}", null)).isEqualTo(json("{\"a\":1,\"k\":2}"));
    }

    @Test
    void aRenameWithNowhereToGoLeavesTheValueWhereItWas() throws Exception {
        var b = body(List.of(), Map.of("/list/0", "/list/9", "/a", "/list/x"), Map.of(), Map.of(), Map.of());
        String in = "{\"list\":[1,2],\"a\":\"x\"}";
        JsonNode tree = JsonEdits.MAPPER.readTree(in);
        assertThat(JsonEdits.of(b).apply(tree, ctx(null))).isFalse();
        assertThat(tree).isEqualTo(json(in));
    }

    @Test
    void newQueryNamesAndValuesArePercentEncoded() {
        assertThat(QueryEdits.encode("a b&c=d/é~_.-")).isEqualTo("a%20b%26c%3Dd%2F%C3%A9~_.-");
        var q = QueryEdits.of(new TransformConfig.Ops(List.of(), Map.of("a", "b c"), values("x", "1", "y", "%query.missing%"), Map.of(),
                values("z", "%route%")));
        RequestContext c = ctx("a=1&x=0&x=2&y=3&a");
        q.apply(c);
        // a replace whose value is empty removes the parameter; the rest keep their encoding
        assertThat(c.query()).isEqualTo("b%20c=1&x=1&b%20c&z=r");
        RequestContext none = ctx(null);
        QueryEdits.of(new TransformConfig.Ops(List.of("a"), Map.of(), Map.of(), Map.of(), Map.of())).apply(none);
        assertThat(none.query()).isNull();
        RequestContext emptied = ctx("a=1");
        QueryEdits.of(new TransformConfig.Ops(List.of("a"), Map.of(), Map.of(), Map.of(), Map.of())).apply(emptied);
        assertThat(emptied.query()).isNull();
    }

    @Test
    void gzipInflationStopsAtTheLimit() throws Exception {
        // 64 MiB of zeros in about 64 KiB: decoding stops just past 1 MiB
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        byte[] zeros = new byte[1024 * 1024];
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            for (int i = 0; i < 64; i++) out.write(zeros);
        }
        ByteBuf bomb = Unpooled.wrappedBuffer(gz.toByteArray());
        assertThat(Gzip.inflate(bomb, 1024 * 1024)).isNull();
        assertThat(bomb.readerIndex()).isZero();
        ByteBuf small = Unpooled.wrappedBuffer(Gzip.deflate("{\"a\":1}".getBytes()));
        assertThat(new String(Gzip.inflate(small, 7), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
        assertThat(Gzip.inflate(small, 6)).isNull();
    }

    @Test
    void responsesThatCannotBeChangedAreCountedAndLeftAsTheyCame() {
        var res = new TransformConfig.Response(null, new TransformConfig.Body(1024, io.strait.proxy.filter.BodyAccess.OverLimit.PASS,
                List.of("/x"), Map.of(), Map.of(), Map.of(), Map.of()));
        TransformFilter f = new TransformFilter(new TransformConfig(null, res), "unit-responses");
        String[][] cases = {
            {"application/json", null, "{\"x\": oops"},        // invalid JSON
            {"application/json", "gzip", "not gzip at all"},  // invalid gzip
            {"application/json", "br", "{\"x\":1}"},          // another encoding
            {"text/plain", null, "{\"x\":1}"},                // not JSON
            {"application/json", null, "{\"y\":1}"},          // nothing to change
        };
        for (String[] c : cases) {
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers().set("Content-Type", c[0]).set("ETag", "\"e\"");
            if (c[1] != null) r.headers().set("Content-Encoding", c[1]);
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer().writeBytes(c[2].getBytes(StandardCharsets.UTF_8));
            MessageBody b = new MessageBody(buf);
            f.onResponseBody(ctx(null), r, b);
            assertThat(b.replaced()).as(c[2]).isFalse();
            assertThat(b.text(StandardCharsets.UTF_8)).isEqualTo(c[2]);
            assertThat(r.headers().get("ETag")).isEqualTo("\"e\"");
            b.release();
            assertThat(buf.refCnt()).isZero();
        }
        assertThat(f.metrics().responsesInvalidJson()).isEqualTo(2);
        assertThat(f.metrics().responsesEncoded()).isEqualTo(1);
        assertThat(f.metrics().responseBodiesChanged()).isZero();
    }

    @Test
    void bodiesOneAfterAnotherOnOneThreadEachReadOnlyTheirOwnBytes() {
        // the filter reads and writes through per-thread arrays: a short body after a long one must not see the
        // long one's tail, and bodies past the kept size still come out whole
        var res = new TransformConfig.Response(null, new TransformConfig.Body(1 << 20, io.strait.proxy.filter.BodyAccess.OverLimit.PASS,
                List.of("/drop"), Map.of(), Map.of(), Map.of(), Map.of()));
        TransformFilter f = new TransformFilter(new TransformConfig(null, res), "unit-scratch");
        int[] padding = {20_000, 10, 300_000, 0, 9_000, 1};
        for (int pad : padding) {
            String keep = "k".repeat(pad);
            String doc = "{\"drop\":[1,2,3],\"keep\":\"" + keep + "\"}";
            HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
            r.headers().set("Content-Type", "application/json");
            ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer().writeBytes(doc.getBytes(StandardCharsets.UTF_8));
            MessageBody b = new MessageBody(buf);
            f.onResponseBody(ctx(null), r, b);
            assertThat(b.replaced()).as("padding %d", pad).isTrue();
            assertThat(b.text(StandardCharsets.UTF_8)).as("padding %d", pad).isEqualTo("{\"keep\":\"" + keep + "\"}");
            b.release();
            assertThat(buf.refCnt()).isZero();
        }
        assertThat(f.metrics().responseBodiesChanged()).isEqualTo(padding.length);
    }

    @Test
    void aChangedRequestBodyReplacesTheBufferAndTheOldOneIsReleased() {
        var req = new TransformConfig.Request(null, null, null, null,
                new TransformConfig.Body(1024, null, List.of("/password"), Map.of(), Map.of(), Map.of(), Map.of()));
        TransformFilter f = new TransformFilter(new TransformConfig(req, null), "unit-request");
        RequestContext c = ctx(null);
        c.headers().set("Content-Type", "application/json");
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.buffer().writeBytes("{\"u\":1,\"password\":\"p\"}".getBytes(StandardCharsets.UTF_8));
        MessageBody b = new MessageBody(buf);
        assertThat(f.onRequestBody(c, b)).isSameAs(FilterResult.CONTINUE);
        assertThat(buf.refCnt()).isZero();
        assertThat(b.replaced()).isTrue();
        assertThat(b.text(StandardCharsets.UTF_8)).isEqualTo("{\"u\":1}");
        assertThat(f.metrics().requestBodiesChanged()).isEqualTo(1);
        b.release();
        // a gzip-encoded request body is not decoded: it passes as it came
        RequestContext gz = ctx(null);
        gz.headers().set("Content-Type", "application/json").set("Content-Encoding", "gzip");
        MessageBody encoded = new MessageBody(Unpooled.wrappedBuffer("{\"password\":1}".getBytes()));
        assertThat(f.onRequestBody(gz, encoded)).isSameAs(FilterResult.CONTINUE);
        assertThat(encoded.replaced()).isFalse();
        encoded.release();
    }

    @Test
    void jsonMediaTypes() {
        for (String yes : List.of("application/json", "Application/JSON; charset=utf-8", "application/problem+json", "application/vnd.a.b+json;v=2")) {
            var h = new io.netty.handler.codec.http.DefaultHttpHeaders().set("Content-Type", yes);
            assertThat(TransformFilter.isJson(h)).as(yes).isTrue();
        }
        for (String no : List.of("text/json", "application/jsonx", "application/x-ndjson", "text/plain", "application/json-seq")) {
            var h = new io.netty.handler.codec.http.DefaultHttpHeaders().set("Content-Type", no);
            assertThat(TransformFilter.isJson(h)).as(no).isFalse();
        }
        assertThat(TransformFilter.isJson(new io.netty.handler.codec.http.DefaultHttpHeaders())).isFalse();
    }
}
