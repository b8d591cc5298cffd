package io.strait.filters.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes a spine ({@link JsonSpine}) back as compact UTF-8 JSON: objects and arrays by hand, the byte ranges no change
 * reached ({@link RawJson}) copied as they came, strings through Jackson's encoder and any other scalar through the
 * mapper. Most of a transformed body is such ranges, so this is mostly {@code System.arraycopy}; Jackson's tree
 * serializer, with its generator and the copy out of its buffer, cost about as much as the edits themselves
 * (docs/benchmarks.md, "Transform cost"). Its output reads as Jackson's would ({@code JsonSpineTest}).
 */
final class JsonSpineWriter {
    private static final JsonStringEncoder STRINGS = JsonStringEncoder.getInstance();

    private byte[] out;
    private int size;

    private JsonSpineWriter(int capacity) {
        out = new byte[Math.max(64, capacity)];
    }

    private JsonSpineWriter(byte[] out) {
        this.out = out;
    }

    /** {@code tree} as JSON; {@code sizeHint}: about how long it is (the body it was read from). */
    static byte[] write(JsonNode tree, int sizeHint) {
        JsonSpineWriter w = new JsonSpineWriter(sizeHint + 64);
        w.value(tree);
        return w.out.length == w.size ? w.out : Arrays.copyOf(w.out, w.size);
    }

    /**
     * {@code tree} as JSON in a buffer of {@code alloc} (a direct one, as a socket write wants), written through this
     * thread's {@link Scratch} array: no array of the body's size is left behind.
     */
    static ByteBuf write(JsonNode tree, int sizeHint, ByteBufAllocator alloc) {
        Scratch scratch = Scratch.get();
        JsonSpineWriter w = new JsonSpineWriter(scratch.output(sizeHint + 64));
        w.value(tree);
        scratch.outputUsed(w.out);
        ByteBuf buf = alloc.directBuffer(w.size);
        buf.writeBytes(w.out, 0, w.size);
        return buf;
    }

    private void value(JsonNode node) {
        if (node instanceof ObjectNode o) {
            put((byte) '{');
            boolean first = true;
            for (Map.Entry<String, JsonNode> member : o.properties()) {
                if (!first) put((byte) ',');
                first = false;
                string(member.getKey());
                put((byte) ':');
                value(member.getValue());
            }
            put((byte) '}');
        } else if (node instanceof ArrayNode a) {
            put((byte) '[');
            for (int i = 0; i < a.size(); i++) {
                if (i > 0) put((byte) ',');
                value(a.get(i));
            }
            put((byte) ']');
        } else if (node instanceof POJONode p && p.getPojo() instanceof RawJson raw) {
            ensure(raw.length());
            size += raw.appendUnquotedUTF8(out, size);
        } else if (node.isTextual()) {
            string(node.textValue());
        } else {
            try {
                put(JsonEdits.MAPPER.writeValueAsBytes(node)); // numbers, booleans, null: as Jackson writes them
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("a JSON value could not be written", e); // a node read from JSON always can
            }
        }
    }

    private void string(String s) {
        put((byte) '"');
        put(STRINGS.quoteAsUTF8(s));
        put((byte) '"');
    }

    private void put(byte b) {
        ensure(1);
        out[size++] = b;
    }

    private void put(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, out, size, bytes.length);
        size += bytes.length;
    }

    private void ensure(int more) {
        if (size + more > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, size + more));
    }
}
