package io.strait.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/**
 * The JSON error every Strait answer of its own carries:
 * {@code {"error":"rate_limited","message":"...","requestId":"..."}}.
 */
public final class ErrorResponse {
    private ErrorResponse() {}

    /**
     * A complete response; {@code requestId} may be null when none was assigned yet. A status that
     * carries no body (1xx, 204, 304: RFC 9110 6.4.1), such as a CORS preflight's 204, gets none.
     */
    public static FullHttpResponse create(ByteBufAllocator alloc, HttpResponseStatus status, String error,
                                          String message, String requestId) {
        int code = status.code();
        if (code < 200 || code == 204 || code == 304) {
            FullHttpResponse empty = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, alloc.buffer(0));
            if (requestId != null) empty.headers().set(StraitHeaders.REQUEST_ID, requestId);
            return empty;
        }
        ByteBuf body = alloc.buffer(96 + message.length());
        body.writeCharSequence(json(error, message, requestId), StandardCharsets.UTF_8);
        FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        res.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (requestId != null) res.headers().set(StraitHeaders.REQUEST_ID, requestId);
        return res;
    }

    public static String json(String error, String message, String requestId) {
        StringBuilder sb = new StringBuilder(64 + message.length());
        sb.append("{\"error\":");
        quote(sb, error);
        sb.append(",\"message\":");
        quote(sb, message);
        if (requestId != null) {
            sb.append(",\"requestId\":");
            quote(sb, requestId);
        }
        return sb.append('}').toString();
    }

    /** JSON string escaping (RFC 8259): quotes, backslash and control characters. */
    public static void quote(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        sb.append('"');
    }
}
