package io.strait.config.load;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ContainerNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.io.IOException;
import java.util.ArrayDeque;

/**
 * Builds a {@link JsonNode} tree from a streaming parser's tokens, node for node as {@code ObjectMapper.readTree} does
 * with default settings (its {@code JsonNodeDeserializer} only maps tokens to nodes): objects, arrays, text, an
 * {@code IntNode}, {@code LongNode} or {@code BigIntegerNode} by the parser's number type, a {@code DoubleNode} for
 * floating point text, booleans, null and embedded values ({@code !!binary}). Without an {@code ObjectMapper}: merely
 * constructing one loads about a thousand classes (data binding, reflection, {@code java.lang.invoke}), a sidecar's
 * idle memory and start time. Iterative, so the depth is bounded by the parser's nesting limit, not the stack.
 */
final class TreeBuilder {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** A check on every token the builder reads (the YAML reader refuses aliases with it). */
    interface TokenCheck {
        void check(JsonParser p, JsonToken t) throws IOException, ConfigException;
    }

    private final JsonParser p;
    private final TokenCheck check;
    private final boolean deferValueErrors;
    private JacksonException deferred;

    /**
     * @param deferValueErrors a value that does not convert ({@code getIntValue} and the like failing) is remembered,
     *     not thrown, so that the caller can first read the rest of the document for its own errors and then throw it
     *     with {@link #throwDeferred()}: the order of errors of a scan pass followed by {@code readTree}
     */
    TreeBuilder(JsonParser p, TokenCheck check, boolean deferValueErrors) {
        this.p = p;
        this.check = check;
        this.deferValueErrors = deferValueErrors;
    }

    /** The value that starts at {@code first}, the parser's current token (already checked); the parser ends on its last token. */
    JsonNode value(JsonToken first) throws IOException, ConfigException {
        if (!first.isStructStart()) return scalar(first);
        ContainerNode<?> root = container(first);
        ArrayDeque<ContainerNode<?>> open = new ArrayDeque<>();
        open.push(root);
        String name = null;
        while (!open.isEmpty()) {
            JsonToken t = p.nextToken();
            if (t == null) throw new JsonParseException(p, "Unexpected end-of-input: the document ends inside a value");
            check.check(p, t);
            if (t == JsonToken.FIELD_NAME) {
                name = p.currentName();
                continue;
            }
            if (t.isStructEnd()) {
                open.pop();
                continue;
            }
            JsonNode v = t.isStructStart() ? container(t) : scalar(t);
            if (open.peek() instanceof ObjectNode o) o.set(name, v);
            else ((ArrayNode) open.peek()).add(v);
            if (t.isStructStart()) open.push((ContainerNode<?>) v);
        }
        return root;
    }

    /** Throws the first value error that {@code deferValueErrors} kept back, if any. */
    void throwDeferred() throws JacksonException {
        if (deferred != null) throw deferred;
    }

    private static ContainerNode<?> container(JsonToken t) {
        return t == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
    }

    private JsonNode scalar(JsonToken t) throws IOException {
        try {
            return switch (t) {
                case VALUE_STRING -> NODES.textNode(p.getText());
                case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                    case INT -> NODES.numberNode(p.getIntValue());
                    case LONG -> NODES.numberNode(p.getLongValue());
                    default -> NODES.numberNode(p.getBigIntegerValue());
                };
                case VALUE_NUMBER_FLOAT -> switch (p.getNumberTypeFP()) {
                    // neither JSON nor YAML text reports these two; binary formats do
                    case BIG_DECIMAL -> NODES.numberNode(p.getDecimalValue().stripTrailingZeros());
                    case FLOAT32 -> NODES.numberNode(p.getFloatValue());
                    default -> NODES.numberNode(p.getDoubleValue());
                };
                case VALUE_TRUE -> NODES.booleanNode(true);
                case VALUE_FALSE -> NODES.booleanNode(false);
                case VALUE_NULL -> NODES.nullNode();
                case VALUE_EMBEDDED_OBJECT -> embedded(p.getEmbeddedObject());
                default -> throw new JsonParseException(p, "Unexpected token (" + t + ")");
            };
        } catch (JacksonException e) {
            if (!deferValueErrors) throw e;
            if (deferred == null) deferred = e;
            return NODES.nullNode();
        }
    }

    private static JsonNode embedded(Object value) {
        if (value == null) return NODES.nullNode();
        if (value instanceof byte[] bytes) return NODES.binaryNode(bytes);
        if (value instanceof RawValue raw) return NODES.rawValueNode(raw);
        if (value instanceof JsonNode node) return node;
        return NODES.pojoNode(value);
    }
}
