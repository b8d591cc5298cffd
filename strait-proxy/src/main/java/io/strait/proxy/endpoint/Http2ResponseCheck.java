package io.strait.proxy.endpoint;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks the response head of an HTTP/2 upstream stream (after Netty's frame-to-HttpObject codec) for what
 * Netty's HTTP/2 decoder lets through: a {@code :status} outside 100-599, control bytes (NUL, CR, LF, ...)
 * in a field value, a field name that is not a lower-case token, and a Content-Length that is not one run
 * of digits. A bad head is replaced by a head whose {@code decoderResult()} failed, so the exchange answers
 * 502 and resets the stream. One instance per stream.
 */
final class Http2ResponseCheck extends ChannelInboundHandlerAdapter {
    /** Content-Length digits: 18 never overflow a long. */
    private static final int MAX_LENGTH_DIGITS = 18;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpResponse res && res.decoderResult().isSuccess()) {
            String problem = problem(res);
            if (problem != null) {
                ReferenceCountUtil.release(msg);
                HttpResponse failed = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.BAD_GATEWAY);
                failed.setDecoderResult(DecoderResult.failure(new InvalidResponseException(problem)));
                ctx.fireChannelRead(failed);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** What is wrong with {@code res}, as a fixed text, or null. */
    static String problem(HttpResponse res) {
        int code = res.status().code();
        if (code < 100 || code > 599) return "status code outside 100-599";
        List<String> lengths = res.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (lengths.size() > 1) return "repeated Content-Length";
        if (lengths.size() == 1 && !isDigits(lengths.get(0))) return "invalid Content-Length";
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = res.headers().iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> h = it.next();
            if (!isLowerToken(h.getKey())) return "invalid header field name";
            if (!isFieldValue(h.getValue())) return "control character in a header value";
        }
        return null;
    }

    private static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > MAX_LENGTH_DIGITS) return false;
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
        }
        return true;
    }

    /** RFC 9113 8.2.1: names are lower-case tokens (Netty's x-http2-* extension names are). */
    private static boolean isLowerToken(CharSequence s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) return false;
        }
        return true;
    }

    /** RFC 9110 5.5 / RFC 9113 8.2.1: HTAB, SP, VCHAR and obs-text only. */
    private static boolean isFieldValue(CharSequence s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '\t' && (c < 0x20 || c == 0x7F || c > 0xFF)) return false;
        }
        return true;
    }
}
