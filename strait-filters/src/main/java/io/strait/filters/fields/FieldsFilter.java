package io.strait.filters.fields;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.netty.buffer.ByteBufInputStream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.AttributeKey;
import io.strait.proxy.filter.BodyAccess;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.MessageBody;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.http.ReplyReason;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Field selection on JSON responses (objects, and arrays of objects), as KrakenD's {@code allow}/{@code deny}
 * and Google's partial responses ({@code ?fields=id,address.city}) do it. The client's selection, when the
 * route allows one, is read from the query (and taken out of it: the upstream never sees it), kept within
 * {@code allow}; {@code allow} and {@code deny} apply to every response, a denied field is never sent. A
 * selection that does not parse is a {@code 400 invalid_field_selection}.
 *
 * <p>Only 2xx responses whose Content-Type is JSON ({@code application/json} or {@code +json}), without a
 * Content-Encoding, within {@code maxSize}, and whose body is a JSON object or array are shaped; anything
 * else passes unchanged (errors keep their bodies, gzip is not decoded, a bulk export is not buffered). A
 * shaped response loses its ETag (it no longer names these bytes).
 */
final class FieldsFilter implements HttpFilter {
    private static final AttributeKey<FieldSelection> SELECTED = AttributeKey.valueOf("strait.fields.selected");
    /** Numbers are kept exactly as written (no float rounding of big decimals on the way through). */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .nodeFactory(JsonNodeFactory.withExactBigDecimals(true))
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    private final FieldsConfig config;
    /** What responses may carry (null: everything). */
    private final FieldSelection allow;
    /** What they never carry (null: nothing denied). */
    private final FieldSelection deny;
    private final BodyAccess access;

    FieldsFilter(FieldsConfig config) {
        this.config = config;
        this.allow = config.allow().isEmpty() ? null : FieldSelection.parseAll(config.allow());
        this.deny = config.deny().isEmpty() ? null : FieldSelection.parseAll(config.deny());
        this.access = BodyAccess.response(config.maxSize(), BodyAccess.OverLimit.PASS);
    }

    @Override
    public BodyAccess bodyAccess() {
        return access;
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        // a body the service compresses passes unshaped: ask for it plain whenever this filter will shape it (a
        // client's Accept-Encoding: gzip, which every browser and phone sends, let denied fields out)
        if (allow != null || deny != null) identity(ctx);
        if (!config.clientSelection()) return FilterResult.CONTINUE;
        String query = ctx.query();
        if (query == null || !query.contains(config.param())) return FilterResult.CONTINUE; // a cheap first look
        StringBuilder rest = new StringBuilder(query.length());
        StringBuilder selected = new StringBuilder();
        boolean found = false;
        try {
            for (String pair : query.split("&", -1)) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                if (!key.equals(config.param())) {
                    if (!pair.isEmpty()) rest.append(rest.isEmpty() ? "" : "&").append(pair);
                    continue;
                }
                found = true;
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8).strip();
                if (!value.isEmpty()) selected.append(selected.isEmpty() ? "" : ",").append(value);
            }
        } catch (IllegalArgumentException e) { // a malformed percent-escape
            return invalid("the query has a malformed percent-encoding");
        }
        if (!found) return FilterResult.CONTINUE;
        ctx.query(rest.isEmpty() ? null : rest.toString());
        if (selected.isEmpty()) return FilterResult.CONTINUE; // ?fields= selects nothing narrower: the whole response
        try {
            ctx.attr(SELECTED).set(FieldSelection.parse(selected.toString()));
        } catch (FieldSelection.SyntaxException e) {
            return invalid(config.param() + ": " + e.getMessage());
        }
        identity(ctx);
        return FilterResult.CONTINUE;
    }

    /** The upstream is asked for an uncompressed body (the response goes to the client uncompressed too). */
    private static void identity(RequestContext ctx) {
        ctx.headers().set(HttpHeaderNames.ACCEPT_ENCODING, HttpHeaderValues.IDENTITY);
    }

    private static FilterResult invalid(String message) {
        return FilterResult.respond(ReplyReason.BAD_REQUEST, HttpResponseStatus.BAD_REQUEST, "invalid_field_selection", message);
    }

    @Override
    public void onResponseBody(RequestContext ctx, HttpResponse response, MessageBody body) {
        int code = response.status().code();
        if (code < 200 || code > 299 || !json(response.headers())) return;
        FieldSelection keep = FieldSelection.intersect(allow, ctx.attrValue(SELECTED));
        if (keep == null && deny == null) return;
        JsonNode root;
        try (ByteBufInputStream in = new ByteBufInputStream(body.content().duplicate())) {
            root = JSON.readTree(in);
        } catch (IOException e) { // not JSON after all: unchanged
            return;
        }
        if (root == null || !(root.isObject() || root.isArray())) return;
        if (keep != null) keep.keep(root);
        if (deny != null) deny.remove(root);
        try {
            body.replace(JSON.writeValueAsBytes(root));
        } catch (JsonProcessingException e) {
            return; // a tree Jackson read always writes; kept unchanged if not
        }
        response.headers().remove(HttpHeaderNames.ETAG);
    }

    /** A JSON body Strait can read: a JSON media type and no content coding. */
    static boolean json(HttpHeaders h) {
        String encoding = h.get(HttpHeaderNames.CONTENT_ENCODING);
        if (encoding != null && !encoding.equalsIgnoreCase("identity")) return false;
        String type = h.get(HttpHeaderNames.CONTENT_TYPE);
        if (type == null) return false;
        int semi = type.indexOf(';');
        String media = (semi < 0 ? type : type.substring(0, semi)).strip().toLowerCase(Locale.ROOT);
        return media.equals("application/json") || (media.startsWith("application/") && media.endsWith("+json"));
    }
}
