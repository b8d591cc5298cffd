package io.strait.proxy.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.strait.proxy.core.ApplyResult;
import io.strait.proxy.core.ConfigFormat;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/** {@code PUT /config}: the media types it takes, the body as text, and the answers (summary or every error). */
final class ConfigUpload {
    /** What error messages call the document. */
    static final String SOURCE = "PUT /config";

    private ConfigUpload() {}

    /** The format of a Content-Type, or null for one PUT /config does not take (a charset other than UTF-8 included). */
    static ConfigFormat format(String contentType) {
        if (contentType == null) return null;
        String[] parts = contentType.toLowerCase(Locale.ROOT).split(";");
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.startsWith("charset=") && !p.substring(8).replace("\"", "").equals("utf-8")) return null;
        }
        return switch (parts[0].strip()) {
            case "application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml" -> ConfigFormat.YAML;
            case "application/json" -> ConfigFormat.JSON;
            default -> null;
        };
    }

    /** The body as UTF-8 text, or null when it is not UTF-8. */
    static String text(ByteBuf body) {
        try {
            ByteBuffer bytes = body.nioBuffer();
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(bytes).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** 200: {@code {"status":"applied","generation":4,"listeners":2,"clusters":3,"routes":5,"warnings":[]}}. */
    static String applied(ApplyResult r) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("status", "applied");
        o.put("generation", r.generation());
        o.put("listeners", r.running().listeners().size());
        o.put("clusters", r.running().clusters().size());
        o.put("routes", r.running().routes().size());
        ArrayNode w = o.putArray("warnings");
        r.warnings().forEach(w::add);
        return ConfigView.write(o);
    }

    /** 400: {@code {"error":"invalid_config","message":"...","generation":3,"errors":["routes[0].cluster: ..."]}}. */
    static String refused(long generation, List<String> errors) {
        ObjectNode o = JsonNodeFactory.instance.objectNode();
        o.put("error", "invalid_config");
        o.put("message", "the configuration was refused (" + errors.size() + " error" + (errors.size() == 1 ? "" : "s")
                + "); generation " + generation + " keeps serving");
        o.put("generation", generation);
        ArrayNode a = o.putArray("errors");
        errors.forEach(a::add);
        return ConfigView.write(o);
    }

    /** Whether writes are refused whatever the request carries, for the startup warning. */
    static boolean writesDisabled(AdminAccess access) {
        return !access.writable();
    }
}
