package io.strait.filters.transform;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.filters.headers.ValueTemplate;
import io.strait.proxy.filter.RequestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A JSON body's changes by JSON pointer, compiled at load and applied to the parsed tree in Kong's order:
 * <ul>
 *   <li>{@code remove}: the member or element, when present;
 *   <li>{@code rename}: a present value moved to the target pointer (replacing what was there; missing parent
 *       objects are created);
 *   <li>{@code replace}: a present value replaced (nothing created);
 *   <li>{@code add}: an absent value set, missing parent objects created; {@code /list/-} (or the index one past the
 *       end) appends to an existing array;
 *   <li>{@code append}: to the array at the pointer; a missing value becomes {@code [value]}, another one
 *       {@code [old, value]} (Kong's response-transformer does the same).
 * </ul>
 * A change whose parent is missing where it cannot be created (inside an array, under a string) is skipped. Values:
 * a value without variables that is valid JSON on its own ({@code 50}, {@code true}, {@code null},
 * {@code {"a":1}}, {@code "quoted"}) goes in as that JSON; any other value, and every value with variables, goes in
 * as a string (so no request data can add JSON structure). A value whose variables have no value is skipped.
 */
final class JsonEdits {
    /**
     * Shared and thread-safe: parses bodies and values, writes bodies. Trailing data after a document is an error;
     * decimals are kept as written ({@code 12.50} stays {@code 12.50}, {@code 1e400} is not made infinite).
     */
    static final ObjectMapper MAPPER = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));
    private static final JsonNodeFactory NODES = MAPPER.getNodeFactory();

    /** A value to put in a body. */
    private record Value(JsonNode constant, ValueTemplate template) {
        static Value of(ValueTemplate t) {
            if (!t.constant()) return new Value(null, t);
            String text = t.parts().isEmpty() ? "" : ((ValueTemplate.Literal) t.parts().get(0)).text();
            try {
                JsonNode json = MAPPER.readTree(text);
                if (json != null && !json.isMissingNode()) return new Value(json, null);
            } catch (JsonProcessingException notJson) {
                // a plain string
            }
            return new Value(NODES.textNode(text), null);
        }

        /** The node to insert (a copy of a constant container: trees are changed later), or null when it has no value. */
        JsonNode render(RequestContext ctx) {
            if (constant != null) return constant.isContainerNode() ? constant.deepCopy() : constant;
            String s = template.renderText(ctx);
            return s == null ? null : NODES.textNode(s);
        }
    }

    private record Edit(JsonPointer at, JsonPointer to, Value value) {}

    private final Edit[] remove;
    private final Edit[] rename;
    private final Edit[] replace;
    private final Edit[] add;
    private final Edit[] append;
    private final JsonSpine spine = new JsonSpine();

    private JsonEdits(TransformConfig.Ops ops) {
        remove = ops.remove().stream().map(p -> new Edit(JsonPointer.parse(p), null, null)).toArray(Edit[]::new);
        rename = ops.rename().entrySet().stream()
                .map(e -> new Edit(JsonPointer.parse(e.getKey()), JsonPointer.parse(e.getValue()), null)).toArray(Edit[]::new);
        replace = valued(ops.replace());
        add = valued(ops.add());
        append = valued(ops.append());
        for (Edit[] edits : new Edit[][] {remove, rename, replace, add}) {
            for (Edit e : edits) {
                spine.add(e.at, false);
                if (e.to != null) spine.add(e.to, false);
            }
        }
        for (Edit e : append) spine.add(e.at, true); // append reads the value: is it an array?
        for (int i = rename.length - 1; i >= 0; i--) spine.moved(rename[i].at, rename[i].to);
        spine.seal();
    }

    /**
     * Reads a body for these edits: the part of its tree they reach, the rest kept as bytes ({@link JsonSpine}); null
     * for an empty body.
     *
     * @throws java.io.IOException when it is not one valid JSON document
     */
    JsonNode read(byte[] json) throws java.io.IOException {
        return spine.read(json);
    }

    /** The same for {@code json[0, length)}. */
    JsonNode read(byte[] json, int length) throws java.io.IOException {
        return spine.read(json, length);
    }

    /** The edits of {@code body}, or null when there are none. */
    static JsonEdits of(TransformConfig.Body body) {
        return body == null || body.ops().isEmpty() ? null : new JsonEdits(body.ops());
    }

    private static Edit[] valued(Map<String, ValueTemplate> entries) {
        List<Edit> out = new ArrayList<>();
        entries.forEach((p, v) -> out.add(new Edit(JsonPointer.parse(p), null, Value.of(v))));
        return out.toArray(new Edit[0]);
    }

    /** Applies the edits to {@code root}; true when it changed. */
    boolean apply(JsonNode root, RequestContext ctx) {
        boolean changed = false;
        for (Edit e : remove) {
            JsonNode parent = find(root, e.at.tokens(), e.at.tokens().size() - 1);
            changed |= removeChild(parent, e.at.last()) != null;
        }
        for (Edit e : rename) {
            JsonNode parent = find(root, e.at.tokens(), e.at.tokens().size() - 1);
            if (child(parent, e.at.last()) == null || !canPlace(root, e.to)) continue;
            JsonNode target = parentFor(root, e.to);
            JsonNode value = removeChild(parent, e.at.last());
            if (put(target, e.to.last(), value)) changed = true;
            else restore(parent, e.at.last(), value); // no place for it (an index past an array's end): left where it was
        }
        for (Edit e : replace) {
            JsonNode parent = find(root, e.at.tokens(), e.at.tokens().size() - 1);
            if (child(parent, e.at.last()) == null) continue;
            JsonNode v = e.value.render(ctx);
            if (v != null) changed |= put(parent, e.at.last(), v);
        }
        for (Edit e : add) {
            if (!e.at.endsAtArrayEnd() && find(root, e.at.tokens(), e.at.tokens().size()) != null) continue;
            // parents are made only for a value that will be put: no empty object is left behind
            if (!canPlace(root, e.at)) continue;
            JsonNode v = e.value.render(ctx);
            if (v != null) changed |= put(parentFor(root, e.at), e.at.last(), v);
        }
        for (Edit e : append) {
            if (!canPlace(root, e.at)) continue;
            JsonNode v = e.value.render(ctx);
            if (v == null) continue;
            JsonNode parent = parentFor(root, e.at);
            JsonNode current = child(parent, e.at.last());
            if (current instanceof ArrayNode list) {
                list.add(v);
                changed = true;
                continue;
            }
            ArrayNode list = NODES.arrayNode();
            if (current != null) list.add(current);
            list.add(v);
            changed |= put(parent, e.at.last(), list);
        }
        return changed;
    }

    /** The node {@code tokens[0, depth)} name, or null when absent. */
    private static JsonNode find(JsonNode root, List<String> tokens, int depth) {
        JsonNode n = root;
        for (int i = 0; i < depth && n != null; i++) n = child(n, tokens.get(i));
        return n;
    }

    /** A container's child by token, or null. */
    private static JsonNode child(JsonNode n, String token) {
        if (n instanceof ObjectNode o) return o.get(token);
        if (n instanceof ArrayNode a) {
            int i = JsonPointer.index(token);
            return i >= 0 && i < a.size() ? a.get(i) : null;
        }
        return null;
    }

    /**
     * Whether {@link #parentFor} can give the pointer's container, changing nothing: missing parents are made as
     * objects, so only under an object and never for {@code -} (which needs an existing array).
     */
    private static boolean canPlace(JsonNode root, JsonPointer p) {
        List<String> tokens = p.tokens();
        JsonNode n = root;
        for (int i = 0; i < tokens.size() - 1; i++) {
            JsonNode next = child(n, tokens.get(i));
            if (next == null) return n instanceof ObjectNode && !p.endsAtArrayEnd();
            n = next;
        }
        if (p.endsAtArrayEnd() && !(n instanceof ArrayNode)) return false;
        return n.isContainerNode();
    }

    /**
     * The container the pointer's last token goes into, creating missing objects under objects on the way; null when
     * it cannot be had (an array or a scalar in the way; {@code -} needs an existing array). Ask {@link #canPlace}
     * first: this one may have made parents before it finds it cannot.
     */
    private static JsonNode parentFor(JsonNode root, JsonPointer p) {
        List<String> tokens = p.tokens();
        JsonNode n = root;
        for (int i = 0; i < tokens.size() - 1; i++) {
            JsonNode next = child(n, tokens.get(i));
            if (next == null) {
                if (!(n instanceof ObjectNode o)) return null;
                next = o.putObject(tokens.get(i));
            }
            n = next;
        }
        if (p.endsAtArrayEnd() && !(n instanceof ArrayNode)) return null;
        return n.isContainerNode() ? n : null;
    }

    private static JsonNode removeChild(JsonNode parent, String token) {
        if (parent instanceof ObjectNode o) return o.remove(token);
        if (parent instanceof ArrayNode a) {
            int i = JsonPointer.index(token);
            return i >= 0 && i < a.size() ? a.remove(i) : null;
        }
        return null;
    }

    /** Puts a value back where {@link #removeChild} took it from. */
    private static void restore(JsonNode parent, String token, JsonNode value) {
        if (parent instanceof ObjectNode o) o.set(token, value);
        else if (parent instanceof ArrayNode a) a.insert(JsonPointer.index(token), value);
    }

    /** Sets a member, an element, or (index one past the end, or {@code -}) a new last element; false when it cannot. */
    private static boolean put(JsonNode parent, String token, JsonNode value) {
        if (parent instanceof ObjectNode o) {
            o.set(token, value);
            return true;
        }
        if (parent instanceof ArrayNode a) {
            int i = token.equals(JsonPointer.END) ? a.size() : JsonPointer.index(token);
            if (i < 0 || i > a.size()) return false;
            if (i == a.size()) a.add(value);
            else a.set(i, value);
            return true;
        }
        return false;
    }
}
