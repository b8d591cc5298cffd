package io.strait.filters.transform;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.io.ContentReference;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Finds where the JSON values of a UTF-8 body end, checking them against RFC 8259's grammar on the way (strings with
 * their escapes and UTF-8, numbers, literals, nesting), without building anything. {@link JsonSpine} skips with it the
 * parts of a body that no change reaches.
 *
 * <p>Written here rather than taken from Jackson: Jackson's parser finds a skipped value's end only by producing every
 * token inside it (a name, a number, a string, each with its bookkeeping), which was a fifth of a JSON-transform route's
 * CPU (docs/benchmarks.md, "Transform cost"); this scanner reads a string eight bytes at a time and a number or a
 * literal without converting it. It refuses what Jackson refuses as Jackson is configured here (no comments, no
 * single quotes, no leading zeros, no {@code NaN}, nesting up to {@value #MAX_DEPTH}), and also invalid UTF-8.
 */
final class JsonScan {
    /** Jackson's default nesting limit ({@code StreamReadConstraints}), so both refuse the same documents. */
    static final int MAX_DEPTH = 1000;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    private static final long QUOTES = ONES * '"';
    private static final long BACKSLASHES = ONES * '\\';

    private final byte[] b;
    private final int end;
    /** Which open containers are objects (bit set) rather than arrays, by depth. */
    private final long[] objects = new long[(MAX_DEPTH + 63) / 64];

    JsonScan(byte[] json) {
        this(json, json.length);
    }

    /** A scan of {@code json[0, length)}. */
    JsonScan(byte[] json, int length) {
        this.b = json;
        this.end = length;
    }

    /** The first index at or after {@code i} that is not JSON whitespace. */
    int ws(int i) {
        while (i < end) {
            byte c = b[i];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return i;
            i++;
        }
        return i;
    }

    /** The byte at {@code i}, which must exist. */
    byte at(int i) throws JsonParseException {
        if (i >= end) throw error(i, "unexpected end of the document");
        return b[i];
    }

    /**
     * The index just past the value that starts at {@code i} (whitespace already skipped), {@code depth} containers
     * deep.
     */
    int skipValue(int i, int depth) throws JsonParseException {
        final int base = depth;
        boolean inObject = false; // whether the innermost open container (above base) is an object
        while (true) {
            byte c = at(i);
            if (c == '{' || c == '[') {
                if (depth >= MAX_DEPTH) throw error(i, "nested more than " + MAX_DEPTH + " deep");
                inObject = c == '{';
                mark(depth++, inObject);
                i = ws(i + 1);
                if (at(i) == (inObject ? '}' : ']')) {
                    i++;
                    if (--depth > base) inObject = isObject(depth - 1);
                } else {
                    if (inObject) i = name(i);
                    continue; // the first member's value
                }
            } else if (c == '"') {
                i = string(i);
            } else {
                i = scalar(i, c);
            }
            // a value ended: close what it ends, up to the next value
            while (true) {
                if (depth == base) return i;
                if (i >= end || b[i] != ',') i = ws(i);
                byte c2 = at(i);
                if (c2 == ',') {
                    i = ws(i + 1);
                    if (inObject) i = name(i);
                    break;
                }
                if (c2 != (inObject ? '}' : ']')) throw error(i, "expected ',' or '" + (inObject ? '}' : ']') + "'");
                i++;
                if (--depth > base) inObject = isObject(depth - 1);
            }
        }
    }

    /** A member's name, its colon and the whitespace after: the index where its value starts. */
    int name(int i) throws JsonParseException {
        if (at(i) != '"') throw error(i, "expected a member name in double quotes");
        i = ws(string(i));
        if (at(i) != ':') throw error(i, "expected ':' after a member name");
        return ws(i + 1);
    }

    private int scalar(int i, byte c) throws JsonParseException {
        return switch (c) {
            case '"' -> string(i);
            case 't' -> literal(i, "true");
            case 'f' -> literal(i, "false");
            case 'n' -> literal(i, "null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) yield number(i);
                throw error(i, "unexpected character " + describe(c));
            }
        };
    }

    /** The index just past the string whose opening quote is at {@code i}. */
    int string(int i) throws JsonParseException {
        i++;
        while (true) {
            // eight plain bytes at a time: none a quote, a backslash, a control character or part of a multi-byte character
            while (i + 8 <= end) {
                long w = (long) LONGS.get(b, i);
                long special = (hasByte(w, QUOTES) | hasByte(w, BACKSLASHES) | hasBelow32(w) | w) & HIGHS;
                if (special != 0) {
                    // the lowest flag is the first special byte (a flag's borrow only reaches the bytes above it)
                    i += Long.numberOfTrailingZeros(special) >>> 3;
                    break;
                }
                i += 8;
            }
            byte c = at(i);
            if (c == '"') return i + 1;
            if (c == '\\') {
                i = escape(i);
            } else if (c < 0) {
                i = utf8(i, c);
            } else if (c < 0x20) {
                throw error(i, "control character " + describe(c) + " in a string: escape it");
            } else {
                i++;
            }
        }
    }

    /** Bytes of {@code w} equal to the byte repeated in {@code pattern}: their high bit set (SWAR, may also flag 0x80+). */
    private static long hasByte(long w, long pattern) {
        long x = w ^ pattern;
        return (x - ONES) & ~x;
    }

    /** Bytes of {@code w} below 0x20 have their high bit set (bytes of 0x80 and up may be flagged too: they are checked one by one). */
    private static long hasBelow32(long w) {
        return (w - ONES * 0x20) & ~w;
    }

    private int escape(int i) throws JsonParseException {
        byte e = at(i + 1);
        switch (e) {
            case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> {
                return i + 2;
            }
            case 'u' -> {
                for (int k = 2; k < 6; k++) {
                    byte h = at(i + k);
                    if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F'))) {
                        throw error(i + k, "expected a hex digit in a \\u escape");
                    }
                }
                return i + 6;
            }
            default -> throw error(i + 1, "unknown escape \\" + describe(e));
        }
    }

    /** One UTF-8 encoded character from its first byte {@code c} (negative: 0x80 and up): the index after it. */
    private int utf8(int i, byte c) throws JsonParseException {
        int lead = c & 0xFF;
        int n;
        int min;
        if (lead >= 0xC2 && lead <= 0xDF) {
            n = 1;
            min = 0x80;
        } else if (lead >= 0xE0 && lead <= 0xEF) {
            n = 2;
            min = 0x800;
        } else if (lead >= 0xF0 && lead <= 0xF4) {
            n = 3;
            min = 0x10000;
        } else {
            throw error(i, "invalid UTF-8 byte " + describe(c));
        }
        int cp = lead & (0x3F >> n);
        for (int k = 1; k <= n; k++) {
            int next = at(i + k) & 0xFF;
            if ((next & 0xC0) != 0x80) throw error(i + k, "invalid UTF-8 continuation byte " + describe((byte) next));
            cp = (cp << 6) | (next & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) throw error(i, "invalid UTF-8 sequence");
        return i + n + 1;
    }

    private int number(int i) throws JsonParseException {
        int start = i;
        if (b[i] == '-') i++;
        if (at(i) == '0') {
            i++;
            if (i < end && isDigit(b[i])) throw error(i, "a number has a leading zero");
        } else if (isDigit(b[i])) {
            while (i < end && isDigit(b[i])) i++;
        } else {
            throw error(i, "expected a digit");
        }
        if (i < end && b[i] == '.') {
            i++;
            if (!isDigit(at(i))) throw error(i, "expected a digit after the decimal point");
            while (i < end && isDigit(b[i])) i++;
        }
        if (i < end && (b[i] == 'e' || b[i] == 'E')) {
            i++;
            if (at(i) == '+' || b[i] == '-') i++;
            if (!isDigit(at(i))) throw error(i, "expected a digit in the exponent");
            while (i < end && isDigit(b[i])) i++;
        }
        if (i - start > 1000) throw error(start, "a number longer than 1000 characters"); // Jackson's maxNumberLength
        return i;
    }

    private static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    private int literal(int i, String word) throws JsonParseException {
        for (int k = 0; k < word.length(); k++) {
            if (i + k >= end || b[i + k] != word.charAt(k)) throw error(i, "unrecognized token (expected '" + word + "')");
        }
        int after = i + word.length();
        if (after < end && isWordByte(b[after])) throw error(i, "unrecognized token (expected '" + word + "')");
        return after;
    }

    /** A byte that would continue a token (so {@code truex} is not {@code true} followed by garbage). */
    private static boolean isWordByte(byte c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c < 0;
    }

    private void mark(int depth, boolean object) {
        long bit = 1L << (depth & 63);
        if (object) objects[depth >>> 6] |= bit;
        else objects[depth >>> 6] &= ~bit;
    }

    private boolean isObject(int depth) {
        return (objects[depth >>> 6] & (1L << (depth & 63))) != 0;
    }

    /** The error at byte {@code i}, with its line and column (one-based) as Jackson gives them. */
    JsonParseException error(int i, String message) {
        int line = 1;
        int lineStart = 0;
        for (int k = 0; k < Math.min(i, end); k++) {
            if (b[k] == '\n') {
                line++;
                lineStart = k + 1;
            }
        }
        JsonLocation where = new JsonLocation(ContentReference.unknown(), i, -1, line, i - lineStart + 1);
        return new JsonParseException(null, message, where);
    }

    private static String describe(byte c) {
        int v = c & 0xFF;
        return v >= 0x20 && v < 0x7F ? "'" + (char) v + "'" : String.format("0x%02X", v);
    }
}
