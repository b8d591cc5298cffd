package io.strait.filters.transform;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a JSON body into the part of a tree its changes reach (the "spine"): the objects and arrays on the
 * changes' pointers are parsed, with their scalar members; every other object or array is kept as its bytes
 * ({@link RawJson}) and written back as it came, and so is every string, number or literal no change reaches. The whole
 * body is still checked ({@link JsonScan} skips what is not parsed, checking it against the grammar), so a body that
 * is not valid JSON is refused all the same; but most of a document is neither tokenized, nor built into nodes, nor
 * encoded again, which is most of the cost of a tree. The changes then run on the spine as on a whole tree
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
        return read(json, json.length);
    }

    /** The same for {@code json[0, length)}. */
    JsonNode read(byte[] json, int length) throws IOException {
        JsonScan scan = new JsonScan(json, length);
        int i = scan.ws(0);
        if (i == length) return null;
        Read doc = new Read(scan, json);
        JsonNode root = doc.value(i, this.root, 0);
        if (scan.ws(doc.end) != length) throw scan.error(scan.ws(doc.end), "data after the JSON document");
        return root;
    }

    /** One read of a body: the scanner, and where the last value read ended. */
    private static final class Read {
        private final JsonScan scan;
        private final byte[] json;
        /** The index just past the value {@link #value} read last. */
        int end;

        Read(JsonScan scan, byte[] json) {
            this.scan = scan;
            this.json = json;
        }

        /** The value at {@code i} (whitespace skipped), {@code depth} containers deep, for the changes under {@code node}. */
        JsonNode value(int i, Node node, int depth) throws IOException {
            if (node == null || !node.parsed()) {
                end = scan.skipValue(i, depth);
                return NODES.pojoNode(new RawJson(json, i, end - i));
            }
            byte c = json[i];
            if (c == '{') return object(i, node, depth);
            if (c == '[') return array(i, node, depth);
            return whole(i, depth); // a scalar a change reads
        }

        private ObjectNode object(int i, Node node, int depth) throws IOException {
            if (depth >= JsonScan.MAX_DEPTH) throw scan.error(i, "nested more than " + JsonScan.MAX_DEPTH + " deep");
            ObjectNode o = NODES.objectNode();
            i = scan.ws(i + 1);
            if (scan.at(i) == '}') {
                end = i + 1;
                return o;
            }
            while (true) {
                int valueAt = scan.name(i);
                String name = name(i);
                o.set(name, value(valueAt, node.child(name), depth + 1));
                i = scan.ws(end);
                byte c = scan.at(i);
                if (c == '}') {
                    end = i + 1;
                    return o;
                }
                if (c != ',') throw scan.error(i, "expected ',' or '}'");
                i = scan.ws(i + 1);
            }
        }

        private ArrayNode array(int i, Node node, int depth) throws IOException {
            if (depth >= JsonScan.MAX_DEPTH) throw scan.error(i, "nested more than " + JsonScan.MAX_DEPTH + " deep");
            ArrayNode a = NODES.arrayNode();
            i = scan.ws(i + 1);
            if (scan.at(i) == ']') {
                end = i + 1;
                return a;
            }
            while (true) {
                a.add(node.indexed ? whole(i, depth + 1) : value(i, null, depth + 1));
                i = scan.ws(end);
                byte c = scan.at(i);
                if (c == ']') {
                    end = i + 1;
                    return a;
                }
                if (c != ',') throw scan.error(i, "expected ',' or ']'");
                i = scan.ws(i + 1);
            }
        }

        /** The value at {@code i} parsed whole into nodes (checked by the scanner first, so errors read the same). */
        private JsonNode whole(int i, int depth) throws IOException {
            end = scan.skipValue(i, depth);
            return SUBTREE.readTree(json, i, end - i);
        }

        /** The member name whose opening quote is at {@code i} (already checked), unescaped. */
        private String name(int i) throws IOException {
            int close = i + 1;
            while (json[close] != '"') {
                if (json[close] == '\\') return SUBTREE.readTree(json, i, scan.string(i) - i).textValue();
                close++;
            }
            return new String(json, i + 1, close - i - 1, StandardCharsets.UTF_8);
        }
    }
}
