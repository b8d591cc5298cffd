package io.strait.filters.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.strait.filters.headers.ValueTemplate;
import io.strait.proxy.filter.RequestContext;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The spine (only what the changes reach is parsed, the rest copied as bytes) against the whole tree: for random
 * documents and random changes both give the same document, and what no change reaches keeps its bytes.
 */
class JsonSpineTest {
    private static final String[] NAMES = {"a", "b", "c", "x/y", "m~n", "0", "1"};
    private static final String[] POINTERS = {"/a", "/b", "/c", "/a/b", "/a/c", "/c/0", "/c/1", "/a/x~1y", "/m~0n", "/0", "/b/0/a",
        "/d", "/d/e", "/a/b/c", "/c/0/a", "/0/0", "/1/a", "/0/1/b", "/c/1/0"};
    private static final String[] VALUES = {"v", "1", "12.50", "{\"k\":[1]}", "%route%", "[]"};

    private static RequestContext ctx() {
        RequestContext c = new RequestContext(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/"),
                new InetSocketAddress("10.0.0.1", 1), false, "HTTP/1.1");
        c.routeName("r");
        return c;
    }

    private static ValueTemplate t(String s) {
        return ValueTemplate.parse(s, Set.of(), new ArrayList<>());
    }

    @Test
    void theSpineGivesWhatTheWholeTreeGives() throws Exception {
        int changed = 0;
        for (int round = 0; round < Integer.getInteger("spineRounds", 4000); round++) {
            Random rnd = new Random(20261205L * 31 + round);
            String doc = value(rnd, 0, true);
            TransformConfig.Body body = edits(rnd);
            JsonEdits edits = JsonEdits.of(body);
            if (edits == null) continue; // no change drawn
            JsonNode whole = JsonEdits.MAPPER.readTree(doc);
            boolean wholeChanged = edits.apply(whole, ctx());
            JsonNode spine = edits.read(doc.getBytes(StandardCharsets.UTF_8));
            boolean spineChanged = edits.apply(spine, ctx());
            assertThat(spineChanged).as(doc.replace("\n", "\\n") + " with " + body).isEqualTo(wholeChanged);
            byte[] written = JsonSpineWriter.write(spine, doc.length());
            // a tree with no kept bytes is written exactly as Jackson writes it
            assertThat(new String(JsonSpineWriter.write(whole, 0), StandardCharsets.UTF_8)).as(doc)
                    .isEqualTo(JsonEdits.MAPPER.writeValueAsString(whole));
            assertThat(JsonEdits.MAPPER.readTree(written)).as(doc.replace("\n", "\\n") + " with " + body).isEqualTo(JsonEdits.MAPPER.readTree(JsonEdits.MAPPER.writeValueAsBytes(whole)));
            if (wholeChanged) changed++;
        }
        assertThat(changed).isGreaterThan(1500); // the changes did something most of the time
    }

    @Test
    void whatNoChangeReachesKeepsItsBytes() throws Exception {
        JsonEdits edits = JsonEdits.of(new TransformConfig.Body(1024, null, List.of("/drop"), Map.of(), Map.of(), Map.of(), Map.of()));
        String doc = "{ \"keep\" : { \"n\" : 12.50 , \"big\": 1e400, \"s\":\"\\u00e9\\n\" } , \"drop\": [1, 2],\n \"list\":[ 1.0, {\"x\" :true} ], \"d\": 0.10 }";
        JsonNode spine = edits.read(doc.getBytes(StandardCharsets.UTF_8));
        assertThat(edits.apply(spine, ctx())).isTrue();
        assertThat(new String(JsonSpineWriter.write(spine, doc.length()), StandardCharsets.UTF_8)).isEqualTo(
                "{\"keep\":{ \"n\" : 12.50 , \"big\": 1e400, \"s\":\"\\u00e9\\n\" },\"list\":[ 1.0, {\"x\" :true} ],\"d\":0.10}");
    }

    @Test
    void invalidJsonAnywhereIsRefusedEvenWhereNoChangeReaches() {
        JsonEdits edits = JsonEdits.of(new TransformConfig.Body(1024, null, List.of("/a"), Map.of(), Map.of(), Map.of(), Map.of()));
        for (String bad : List.of("{\"a\":1,\"b\":{\"c\":[1,2}}", "{\"b\":{\"c\":\"\u0001\"}}", "{\"b\":[tru]}", "{\"a\":1} x", "{\"b\":{\"c\":\"\\q\"}}", "[1,]")) {
            assertThatThrownBy(() -> edits.read(bad.getBytes(StandardCharsets.UTF_8))).as(bad).isInstanceOf(JsonProcessingException.class);
        }
    }

    private static TransformConfig.Body edits(Random rnd) {
        List<String> remove = new ArrayList<>();
        Map<String, String> rename = new LinkedHashMap<>();
        Map<String, ValueTemplate> replace = new LinkedHashMap<>();
        Map<String, ValueTemplate> add = new LinkedHashMap<>();
        Map<String, ValueTemplate> append = new LinkedHashMap<>();
        for (int i = rnd.nextInt(3); i > 0; i--) remove.add(pick(rnd, POINTERS));
        for (int i = rnd.nextInt(2); i > 0; i--) {
            String from = pick(rnd, POINTERS);
            String to = rnd.nextInt(4) == 0 ? "/c/-" : pick(rnd, POINTERS);
            if (!to.equals(from) && !to.startsWith(from + "/")) rename.put(from, to);
        }
        for (int i = rnd.nextInt(3); i > 0; i--) replace.put(pick(rnd, POINTERS), t(pick(rnd, VALUES)));
        for (int i = rnd.nextInt(3); i > 0; i--) add.put(rnd.nextInt(4) == 0 ? "/c/-" : pick(rnd, POINTERS), t(pick(rnd, VALUES)));
        for (int i = rnd.nextInt(2); i > 0; i--) append.put(pick(rnd, POINTERS), t(pick(rnd, VALUES)));
        return new TransformConfig.Body(1024, null, remove, rename, replace, add, append);
    }

    private static String pick(Random rnd, String[] from) {
        return from[rnd.nextInt(from.length)];
    }

    /** A random JSON value as text, with random whitespace between tokens. */
    private static String value(Random rnd, int depth, boolean top) {
        int kind = top ? (rnd.nextInt(8) == 0 ? 1 : 0) : rnd.nextInt(depth > 2 ? 3 : 6) + (depth > 2 ? 2 : 0);
        String ws = rnd.nextInt(3) == 0 ? " \n " : "";
        return switch (kind) {
            case 0 -> {
                StringBuilder sb = new StringBuilder("{" + ws);
                int n = rnd.nextInt(5);
                for (int i = 0; i < n; i++) {
                    if (i > 0) sb.append(',').append(ws);
                    sb.append('"').append(pick(rnd, NAMES)).append('"').append(ws).append(':').append(value(rnd, depth + 1, false));
                }
                yield sb.append(ws).append('}').toString();
            }
            case 1 -> {
                StringBuilder sb = new StringBuilder("[" + ws);
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) sb.append(',');
                    sb.append(value(rnd, depth + 1, false));
                }
                yield sb.append(']').toString();
            }
            case 2 -> "\"s" + rnd.nextInt(10) + (rnd.nextBoolean() ? "\\u00e9\\\"" : "") + "\"";
            case 3 -> rnd.nextBoolean() ? Integer.toString(rnd.nextInt(1000) - 500) : (rnd.nextInt(100) + ".50");
            case 4 -> rnd.nextBoolean() ? "true" : "null";
            default -> value(rnd, depth + 1, rnd.nextBoolean());
        };
    }
}
