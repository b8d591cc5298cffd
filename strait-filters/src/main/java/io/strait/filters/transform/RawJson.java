package io.strait.filters.transform;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.WritableTypeId;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * An object or array of a body that no change reaches, kept as its bytes: written back byte for byte (Jackson's
 * raw value), never parsed into a tree. Held in a tree as a POJO node by {@link JsonSpine}.
 */
final class RawJson implements JsonSerializable, SerializableString {
    private final byte[] source;
    private final int offset;
    private final int length;

    RawJson(byte[] source, int offset, int length) {
        this.source = source;
        this.offset = offset;
        this.length = length;
    }

    /** How many bytes it is. */
    int length() {
        return length;
    }

    @Override
    public void serialize(JsonGenerator gen, SerializerProvider serializers) throws IOException {
        gen.writeRawValue(this);
    }

    @Override
    public void serializeWithType(JsonGenerator gen, SerializerProvider serializers, TypeSerializer typeSer) throws IOException {
        WritableTypeId id = typeSer.writeTypePrefix(gen, typeSer.typeId(this, JsonToken.VALUE_EMBEDDED_OBJECT));
        serialize(gen, serializers);
        typeSer.writeTypeSuffix(gen, id);
    }

    // SerializableString: only the unquoted UTF-8 forms are used (by JsonGenerator.writeRawValue).

    @Override
    public String getValue() {
        return new String(source, offset, length, StandardCharsets.UTF_8);
    }

    @Override
    public int charLength() {
        return getValue().length();
    }

    @Override
    public char[] asQuotedChars() {
        return new SerializedString(getValue()).asQuotedChars();
    }

    @Override
    public byte[] asUnquotedUTF8() {
        return Arrays.copyOfRange(source, offset, offset + length);
    }

    @Override
    public byte[] asQuotedUTF8() {
        return new SerializedString(getValue()).asQuotedUTF8();
    }

    @Override
    public int appendQuotedUTF8(byte[] buffer, int at) {
        return new SerializedString(getValue()).appendQuotedUTF8(buffer, at);
    }

    @Override
    public int appendQuoted(char[] buffer, int at) {
        return new SerializedString(getValue()).appendQuoted(buffer, at);
    }

    @Override
    public int appendUnquotedUTF8(byte[] buffer, int at) {
        if (at + length > buffer.length) return -1;
        System.arraycopy(source, offset, buffer, at, length);
        return length;
    }

    @Override
    public int appendUnquoted(char[] buffer, int at) {
        return new SerializedString(getValue()).appendUnquoted(buffer, at);
    }

    @Override
    public int writeQuotedUTF8(OutputStream out) throws IOException {
        return new SerializedString(getValue()).writeQuotedUTF8(out);
    }

    @Override
    public int writeUnquotedUTF8(OutputStream out) throws IOException {
        out.write(source, offset, length);
        return length;
    }

    @Override
    public int putQuotedUTF8(ByteBuffer buffer) {
        return new SerializedString(getValue()).putQuotedUTF8(buffer);
    }

    @Override
    public int putUnquotedUTF8(ByteBuffer buffer) {
        if (buffer.remaining() < length) return -1;
        buffer.put(source, offset, length);
        return length;
    }

    @Override
    public String toString() {
        return getValue();
    }
}
