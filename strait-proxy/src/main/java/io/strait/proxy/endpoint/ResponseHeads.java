package io.strait.proxy.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.FastThreadLocal;
import io.strait.proxy.http.HttpBytes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Builds a response head or trailer section from bytes the {@link RawResponseScanner} checked, at the positions it
 * found: no byte is validated again. The section is copied once into a per-thread array; names the engine looks
 * up often come from Netty's constants (no allocation, hash codes already known), values are Latin-1 strings, as
 * Netty's decoder makes them. The headers skip Netty's validation: the scanner applied stricter rules.
 */
final class ResponseHeads {
    private ResponseHeads() {}

    private static final HttpHeadersFactory HEADERS = DefaultHttpHeadersFactory.headersFactory().withValidation(false);
    private static final HttpHeadersFactory TRAILERS = DefaultHttpHeadersFactory.trailersFactory().withValidation(false);
    private static final FastThreadLocal<byte[]> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected byte[] initialValue() {
            return new byte[1024];
        }
    };

    /**
     * Names taken from shared constants when their bytes match exactly (the case an upstream wrote is kept, as
     * Netty's decoder keeps it), by length: the ones upstreams send most, in their usual and lower-case spellings.
     */
    private static final AsciiString[][] KNOWN = index(
            "Content-Length", "Content-Type", "Date", "Server", "Connection", "Transfer-Encoding", "Keep-Alive",
            "Cache-Control", "Set-Cookie", "ETag", "Etag", "Last-Modified", "Location", "Vary", "Content-Encoding",
            "Expires", "Accept-Ranges", "Upgrade", "Trailer", "Access-Control-Allow-Origin", "Sec-WebSocket-Accept",
            "X-Request-Id", "Traceparent");

    /** The head that ends just before {@code next}, at the scanner's positions in {@code in}. */
    static HttpResponse build(ByteBuf in, RawResponseScanner s, int next) {
        int base = s.sectionStart();
        byte[] a = copy(in, base, next - base);
        HttpVersion version = s.http10() ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
        HttpResponseStatus status = status(s.status(), a, s.reasonFrom() - base, s.reasonTo() - base);
        HttpHeaders h = HEADERS.newHeaders();
        addFields(h, a, s, base);
        return new DefaultHttpResponse(version, status, h);
    }

    /** The trailer section of the message that just ended. */
    static LastHttpContent trailers(ByteBuf in, RawResponseScanner s) {
        int base = s.sectionStart();
        int[] f = s.fields();
        int end = f[s.fieldCount() * 3 - 1];
        byte[] a = copy(in, base, end - base);
        DefaultLastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, TRAILERS);
        addFields(last.trailingHeaders(), a, s, base);
        return last;
    }

    private static byte[] copy(ByteBuf in, int from, int length) {
        byte[] a = SCRATCH.get();
        if (a.length < length) {
            a = new byte[Math.max(length, a.length * 2)];
            SCRATCH.set(a);
        }
        in.getBytes(from, a, 0, length);
        return a;
    }

    private static void addFields(HttpHeaders h, byte[] a, RawResponseScanner s, int base) {
        int[] f = s.fields();
        for (int i = 0, n = s.fieldCount() * 3; i < n; i += 3) {
            int name = f[i] - base;
            int colon = f[i + 1] - base;
            int from = colon + 1;
            int to = f[i + 2] - base;
            while (from < to && HttpBytes.isOws(a[from])) from++;
            while (to > from && HttpBytes.isOws(a[to - 1])) to--;
            h.add(name(a, name, colon - name), latin1(a, from, to - from));
        }
    }

    private static CharSequence name(byte[] a, int from, int length) {
        if (length < KNOWN.length) {
            for (AsciiString known : KNOWN[length]) {
                if (Arrays.equals(known.array(), known.arrayOffset(), known.arrayOffset() + length, a, from, from + length)) {
                    return known;
                }
            }
        }
        return new AsciiString(a, from, length, true);
    }

    /** Netty's decoder keeps an unusual reason phrase; a usual one is the shared constant. */
    private static HttpResponseStatus status(int code, byte[] a, int from, int to) {
        HttpResponseStatus known = HttpResponseStatus.valueOf(code);
        String reason = known.reasonPhrase();
        int length = to - from;
        if (reason.length() == length) {
            boolean same = true;
            for (int i = 0; i < length; i++) {
                if (reason.charAt(i) != (a[from + i] & 0xff)) {
                    same = false;
                    break;
                }
            }
            if (same) return known;
        }
        return new HttpResponseStatus(code, latin1(a, from, length));
    }

    @SuppressWarnings("deprecation") // the Latin-1 constructor: a plain widening copy, as Netty's decoder uses
    private static String latin1(byte[] a, int from, int length) {
        return length == 0 ? "" : new String(a, 0, from, length);
    }

    private static AsciiString[][] index(String... usual) {
        List<AsciiString> names = new ArrayList<>();
        for (String n : usual) {
            names.add(AsciiString.cached(n));
            names.add(AsciiString.cached(n.toLowerCase(Locale.ROOT)));
        }
        int max = names.stream().mapToInt(AsciiString::length).max().orElse(0);
        AsciiString[][] byLength = new AsciiString[max + 1][];
        for (int len = 0; len <= max; len++) {
            int l = len;
            byLength[len] = names.stream().filter(n -> n.length() == l).distinct().toArray(AsciiString[]::new);
        }
        return byLength;
    }
}
