package io.strait.filters.transform;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a JSON body into the part of a tree its changes reach (the "spine"): the objects and arrays on the
 * changes' pointers are parsed, with their scalar members; every other object or array is kept as its bytes
 * ({@link RawJson}) and written back as it came. The whole body is still read token by token, so a body that is
 * not valid JSON is refused all the same; but most of a document is neither built into nodes nor encoded
 * again, which is most of the cost of a tree. The changes then run on the spine as on a whole tree
 * ({@code JsonSpineTest} checks the two agree): a renamed value is parsed as deep as the changes after the rename
 * reach under its new name, and an array whose elements a pointer names by index has every element parsed whole
 * (a remove before may shift any of them to that index).
 */
final class JsonSpine {
    /** The pointers' tokens as a tree: which members and elements are on a change's way. */
    static final class Node {
        private final Map<String, Node> children = new HashMap<>();
        /** The change reads the value itself (append needs to know an array), not only whether it exists. */
        private boolean parse;
        /**
         * Whether a change names an element by index: then, when the value is an array, its elements are parsed whole,
         * as an earlier change (a remove) may move any element to the index a later one names.
         */
        private boolean indexed;

        Node child(String token) {
            return children.get(token);
        }

        /** Adds what {@code other} needs parsed to what this node needs (a deep union). */
        void merge(Node other) {
            parse |= other.parse;
            other.children.forEach((token, child) -> children.computeIfAbsent(token, t -> new Node()).merge(child));
        }

        private void seal() {
            children.values().forEach(Node::seal);
            indexed = children.keySet().stream().anyMatch(t -> JsonPointer.index(t) >= 0);
        }

        /** Whether the value here must be parsed (a member is on a change's way, or the change reads it). */
        boolean parsed() {
            return parse || !children.isEmpty();
        }
    }

    private static final JsonNodeFactory NODES = JsonEdits.MAPPER.getNodeFactory();
    /** Reads one value in the middle of a body (the mapper would take what follows for trailing data). */
    private static final ObjectReader SUBTREE = JsonEdits.MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final Node root = new Node();

    /** Notes a change's pointer; {@code parseValue}: the change reads the value it points at (append). */
    void add(JsonPointer p, boolean parseValue) {
        node(p).parse |= parseValue;
    }

    /**
     * Notes a rename, once every pointer is added (renames in reverse order, so that a chain of them is followed):
     * the value moved is reached by the later changes under its new name, so it is parsed as they need.
     */
    void moved(JsonPointer from, JsonPointer to) {
        Node needs = new Node();
        needs.merge(node(to)); // a copy first: the target may hold the source (/a/b moved to /a)
        node(from).merge(needs);
    }

    /** Called once every pointer and rename is noted, before the first read. */
    void seal() {
        root.seal();
    }

    private Node node(JsonPointer p) {
        Node n = root;
        for (String token : p.tokens()) n = n.children.computeIfAbsent(token, t -> new Node());
        return n;
    }

    /**
     * The spine of {@code json}, or null for an empty body.
     *
     * @throws IOException when it is not one valid JSON document
     */
    JsonNode read(byte[] json) throws IOException {
        try (JsonParser p = JsonEdits.MAPPER.createParser(json)) {
            if (p.nextToken() == null) return null;
            JsonNode doc = value(p, json, root);
            if (p.nextToken() != null) throw new JsonParseException(p, "data after the JSON document");
            return doc;
        }
    }

    private static JsonNode value(JsonParser p, byte[] json, Node node) throws IOException {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_OBJECT) {
            if (node == null || !node.parsed()) return raw(p, json);
            ObjectNode o = NODES.objectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                o.set(name, value(p, json, node.child(name)));
            }
            return o;
        }
        if (t == JsonToken.START_ARRAY) {
            if (node == null || !node.parsed()) return raw(p, json);
            ArrayNode a = NODES.arrayNode();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                a.add(node.indexed ? SUBTREE.readTree(p) : value(p, json, null));
            }
            return a;
        }
        return switch (t) {
            case VALUE_STRING -> NODES.textNode(p.getText());
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> NODES.numberNode(p.getIntValue());
                case LONG -> NODES.numberNode(p.getLongValue());
                default -> NODES.numberNode(p.getBigIntegerValue());
            };
            case VALUE_NUMBER_FLOAT -> NODES.numberNode(p.getDecimalValue());
            case VALUE_TRUE -> NODES.booleanNode(true);
            case VALUE_FALSE -> NODES.booleanNode(false);
            case VALUE_NULL -> NODES.nullNode();
            default -> throw new JsonParseException(p, "unexpected " + t);
        };
    }

    /** The object or array at the parser, skipped (still checked) and kept as its bytes. */
    private static JsonNode raw(JsonParser p, byte[] json) throws IOException {
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = (int) p.currentTokenLocation().getByteOffset() + 1;
        return NODES.pojoNode(new RawJson(json, start, end - start));
    }
}
