package io.strait.filters.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The scanner that skips what no change reaches refuses exactly what Jackson (configured as the transform filter's
 * mapper) refuses: random documents, and the same with one byte deleted, inserted or changed, or cut short, give the
 * same verdict from both; and it also refuses invalid UTF-8, which Jackson lets through in places.
 */
class JsonScanTest {
    /** Bytes a mutation puts in: JSON's own, and some it refuses. */
    private static final byte[] NOISE = "{}[]\",:\\/ 0123456789.eE+-tfnrul\u0001\tab".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void refusesExactlyWhatJacksonRefuses() {
        int refused = 0;
        int rounds = Integer.getInteger("scanRounds", 30000);
        for (int round = 0; round < rounds; round++) {
            Random rnd = new Random(20261206L * 17 + round);
            byte[] doc = value(rnd, 0).getBytes(StandardCharsets.UTF_8);
            if (round % 4 != 0) doc = mutate(doc, rnd);
            boolean jackson = jacksonAccepts(doc);
            boolean scan = scanAccepts(doc);
            assertThat(scan).as("[%s] %s", new String(doc, StandardCharsets.UTF_8).replace("\n", "\\n"), java.util.Arrays.toString(doc)).isEqualTo(jackson);
            if (!jackson) refused++;
        }
        assertThat(refused).as("the mutations made invalid documents often").isGreaterThan(rounds / 4);
    }

    @Test
    void nestingUpToJacksonsLimitAndNotPast() {
        for (int depth : List.of(JsonScan.MAX_DEPTH - 1, JsonScan.MAX_DEPTH, JsonScan.MAX_DEPTH + 1)) {
            byte[] arrays = ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.US_ASCII);
            byte[] objects = ("{\"a\":".repeat(depth - 1) + "{}" + "}".repeat(depth - 1)).getBytes(StandardCharsets.US_ASCII);
            assertThat(scanAccepts(arrays)).as("arrays %d deep", depth).isEqualTo(jacksonAccepts(arrays)).isEqualTo(depth <= JsonScan.MAX_DEPTH);
            assertThat(scanAccepts(objects)).as("objects %d deep", depth).isEqualTo(jacksonAccepts(objects));
        }
    }

    @Test
    void longStringsOfEveryKindScanInEightByteSteps() {
        // every position of a special byte within and across the eight-byte words the scanner reads at a time
        for (int len = 0; len < 40; len++) {
            for (String special : List.of("\\\"", "\\\\", "\\u00e9", "é", "\u20ac", "\uD83D\uDE00", "\\n")) {
                for (int at = 0; at <= len; at++) {
                    String s = "p".repeat(at) + special + "p".repeat(len - at);
                    byte[] doc = ("[\"" + s + "\",1]").getBytes(StandardCharsets.UTF_8);
                    assertThat(scanAccepts(doc)).as(s).isTrue();
                }
                byte[] cut = ("[\"" + "p".repeat(len) + special).getBytes(StandardCharsets.UTF_8);
                assertThat(scanAccepts(cut)).as("unterminated " + len).isFalse();
            }
            byte[] control = ("[\"" + "p".repeat(len) + "\u0001\"]").getBytes(StandardCharsets.UTF_8);
            assertThat(scanAccepts(control)).as("control character after " + len).isFalse();
        }
    }

    @Test
    void invalidUtf8IsRefused() {
        for (int[] bad : List.of(new int[] {0xC0, 0x80}, new int[] {0xE0, 0x80, 0x80}, new int[] {0xED, 0xA0, 0x80},
                new int[] {0xF4, 0x90, 0x80, 0x80}, new int[] {0xFF}, new int[] {0xC3}, new int[] {0x80}, new int[] {0xE2, 0x82})) {
            ByteArrayOutputStream doc = new ByteArrayOutputStream();
            doc.writeBytes("{\"a\":\"x".getBytes(StandardCharsets.US_ASCII));
            for (int b : bad) doc.write(b);
            doc.writeBytes("y\"}".getBytes(StandardCharsets.US_ASCII));
            assertThat(scanAccepts(doc.toByteArray())).as(java.util.Arrays.toString(bad)).isFalse();
        }
        assertThat(scanAccepts("{\"a\":\"é€😀\"}".getBytes(StandardCharsets.UTF_8))).isTrue();
    }

    @Test
    void errorsSayWhere() {
        byte[] doc = "{\n  \"a\": [1,\n    tru]\n}".getBytes(StandardCharsets.UTF_8);
        JsonScan scan = new JsonScan(doc);
        assertThatThrownBy(() -> scan.skipValue(0, 0)).isInstanceOfSatisfying(JsonParseException.class, e -> {
            assertThat(e.getLocation().getLineNr()).isEqualTo(3);
            assertThat(e.getLocation().getColumnNr()).isEqualTo(5);
            assertThat(e.getOriginalMessage()).contains("true");
        });
    }

    private static boolean jacksonAccepts(byte[] doc) {
        try {
            JsonNode node = JsonEdits.MAPPER.readTree(doc);
            return node != null && !node.isMissingNode(); // Jackson reads no content as a missing node: no document
        } catch (IOException e) {
            return false;
        }
    }

    /** The whole document is one value, as {@link JsonSpine#read} takes it (null, for an empty one, is Jackson's too). */
    private static boolean scanAccepts(byte[] doc) {
        JsonScan scan = new JsonScan(doc);
        try {
            int i = scan.ws(0);
            if (i == doc.length) return false;
            return scan.ws(scan.skipValue(i, 0)) == doc.length;
        } catch (JsonParseException e) {
            return false;
        }
    }

    private static byte[] mutate(byte[] doc, Random rnd) {
        if (doc.length == 0) return new byte[] {NOISE[rnd.nextInt(NOISE.length)]};
        int at = rnd.nextInt(doc.length);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        switch (rnd.nextInt(4)) {
            case 0 -> { // delete
                out.write(doc, 0, at);
                out.write(doc, at + 1, doc.length - at - 1);
            }
            case 1 -> { // insert
                out.write(doc, 0, at);
                out.write(NOISE[rnd.nextInt(NOISE.length)]);
                out.write(doc, at, doc.length - at);
            }
            case 2 -> { // change
                out.write(doc, 0, at);
                out.write(NOISE[rnd.nextInt(NOISE.length)]);
                out.write(doc, at + 1, doc.length - at - 1);
            }
            default -> out.write(doc, 0, at); // cut short
        }
        return out.toByteArray();
    }

    /** A random JSON value with random whitespace: every kind of token, strings long enough for the eight-byte steps. */
    private static String value(Random rnd, int depth) {
        String ws = switch (rnd.nextInt(4)) {
            case 0 -> " ";
            case 1 -> "\n\t";
            default -> "";
        };
        int kind = depth > 4 ? 2 + rnd.nextInt(5) : rnd.nextInt(7);
        return ws + switch (kind) {
            case 0 -> {
                StringBuilder sb = new StringBuilder("{");
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) sb.append(',');
                    sb.append(ws).append(string(rnd)).append(ws).append(':').append(value(rnd, depth + 1));
                }
                yield sb.append(ws).append('}').toString();
            }
            case 1 -> {
                StringBuilder sb = new StringBuilder("[");
                int n = rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    if (i > 0) sb.append(',');
                    sb.append(value(rnd, depth + 1));
                }
                yield sb.append(ws).append(']').toString();
            }
            case 2, 3 -> string(rnd);
            case 4 -> number(rnd);
            case 5 -> List.of("true", "false", "null").get(rnd.nextInt(3));
            default -> "[" + value(rnd, depth + 1) + "]";
        } + ws;
    }

    private static String string(Random rnd) {
        StringBuilder sb = new StringBuilder("\"");
        int n = rnd.nextInt(24);
        for (int i = 0; i < n; i++) {
            sb.append(switch (rnd.nextInt(12)) {
                case 0 -> "\\\"";
                case 1 -> "\\u00e9";
                case 2 -> "\\n";
                case 3 -> "é";
                case 4 -> "\uD83D\uDE00";
                default -> (char) ('a' + rnd.nextInt(26));
            });
        }
        return sb.append('"').toString();
    }

    private static String number(Random rnd) {
        StringBuilder sb = new StringBuilder();
        if (rnd.nextBoolean()) sb.append('-');
        sb.append(rnd.nextInt(5) == 0 ? "0" : Integer.toString(1 + rnd.nextInt(100000)));
        if (rnd.nextBoolean()) sb.append('.').append(rnd.nextInt(1000));
        if (rnd.nextInt(3) == 0) sb.append(rnd.nextBoolean() ? 'e' : 'E').append(List.of("", "+", "-").get(rnd.nextInt(3))).append(rnd.nextInt(400));
        return sb.toString();
    }
}
