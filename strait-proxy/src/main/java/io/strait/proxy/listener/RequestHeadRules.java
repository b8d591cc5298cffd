package io.strait.proxy.listener;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;
import io.strait.config.model.ListenerConfig;
import io.strait.proxy.http.HttpBytes;
import io.strait.proxy.http.StraitHeaders;
import java.util.List;

/**
 * The checks on a decoded request head (HTTP/1.x from {@code HttpServerCodec}, HTTP/2 converted by
 * {@code Http2StreamFrameToHttpObjectCodec}), and the absolute-form rewrite. Each rule names its RFC section in
 * docs/http-hardening.md.
 */
final class RequestHeadRules {
    private RequestHeadRules() {}

    /** Content-Length digits we accept: more cannot be a real body and would overflow a signed 64-bit length. */
    static final int MAX_CONTENT_LENGTH_DIGITS = 18;
    /** Port numbers are 16 bits: at most five digits. */
    private static final int MAX_PORT = 65535;

    /** What a Transfer-Encoding value means for framing. */
    enum Coding { CHUNKED, UNSUPPORTED, INVALID }

    /** Maps a failure of Netty's HTTP/1 decoder to the answer. */
    static RequestProblem fromDecoderFailure(Throwable cause) {
        if (cause instanceof TooLongHttpLineException) return RequestProblem.uriTooLong();
        if (cause instanceof TooLongHttpHeaderException) {
            return RequestProblem.headerTooLarge("request header section too large");
        }
        if (cause instanceof TooLongFrameException) return RequestProblem.headerTooLarge("request head too large");
        return RequestProblem.badRequest("malformed request");
    }

    /**
     * Checks a head and, when it passes, normalizes an absolute-form target to origin-form (RFC 9112 3.2.2).
     *
     * @return the problem, or null when the request may pass on
     */
    static RequestProblem checkAndNormalize(HttpRequest req, ListenerConfig listener, boolean http2) {
        HttpHeaders h = req.headers();
        if (!http2) {
            RequestProblem p = checkVersion(req.protocolVersion());
            if (p != null) return p;
        }
        if (HttpMethod.CONNECT.equals(req.method())) {
            return RequestProblem.methodNotAllowed("CONNECT is not supported");
        }
        String uri = req.uri();
        RequestProblem p = checkTargetChars(uri);
        if (p != null) return p;
        String authority = null;
        if (uri.charAt(0) == '/') {
            // origin-form
        } else if (uri.equals("*")) {
            if (!HttpMethod.OPTIONS.equals(req.method())) {
                return RequestProblem.badRequest("asterisk-form target is only allowed with OPTIONS");
            }
        } else if (!http2) {
            authority = absoluteFormAuthority(uri);
            if (authority == null) return RequestProblem.badRequest("invalid request target");
        } else {
            return RequestProblem.badRequest("invalid :path");
        }
        p = checkHost(h, req.protocolVersion() == HttpVersion.HTTP_1_0 && !http2, http2);
        if (p != null) return p;
        p = http2 ? checkHttp2Fields(h) : checkFraming(h, req.protocolVersion());
        if (p != null) return p;
        p = checkContentLength(h, listener);
        if (p != null) return p;
        if (h.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY1) || h.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY2)) {
            // Netty gives a GET with both fields an implicit 8-byte body without Content-Length (Hixie-76, a
            // 2010 draft): forwarded, those bytes would start the upstream's next request.
            return RequestProblem.badRequest("obsolete WebSocket handshake (Sec-WebSocket-Key1/Key2)");
        }
        if (countFields(h, http2) > listener.maxHeaderCount()) {
            return RequestProblem.headerTooLarge("too many header fields");
        }
        if (authority != null) {
            req.setUri(originForm(uri));
            h.set(HttpHeaderNames.HOST, authority);
        }
        return null;
    }

    /** RFC 9112 2.3: HTTP-version is case-sensitive; we speak 1.0 and 1.1 only. */
    static RequestProblem checkVersion(HttpVersion v) {
        // Netty returns its constants only for the exact strings "HTTP/1.1" and "HTTP/1.0".
        if (v == HttpVersion.HTTP_1_1 || v == HttpVersion.HTTP_1_0) return null;
        if ("HTTP".equals(v.protocolName()) && v.majorVersion() == 1 && v.minorVersion() <= 1) {
            return RequestProblem.badRequest("malformed HTTP version"); // e.g. "http/1.1"
        }
        return RequestProblem.versionNotSupported();
    }

    /** RFC 9112 3.2 / RFC 3986: visible ASCII only, and a request target never carries a fragment. */
    static RequestProblem checkTargetChars(String uri) {
        if (uri.isEmpty()) return RequestProblem.badRequest("empty request target");
        for (int i = 0; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c < 0x21 || c > 0x7E) return RequestProblem.badRequest("invalid character in request target");
            if (c == '#') return RequestProblem.badRequest("fragment in request target");
        }
        return null;
    }

    /** The authority of an {@code http://} or {@code https://} absolute-form target, or null when invalid. */
    static String absoluteFormAuthority(String uri) {
        int schemeEnd = uri.indexOf("://");
        if (schemeEnd < 0) return null;
        String scheme = uri.substring(0, schemeEnd);
        if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) return null;
        int start = schemeEnd + 3;
        int end = authorityEnd(uri, start);
        String authority = uri.substring(start, end);
        return isValidAuthority(authority) ? authority : null;
    }

    private static int authorityEnd(String uri, int start) {
        for (int i = start; i < uri.length(); i++) {
            char c = uri.charAt(i);
            if (c == '/' || c == '?') return i;
        }
        return uri.length();
    }

    /** {@code http://a.example/x?y} becomes {@code /x?y}; an empty path becomes {@code /}. */
    static String originForm(String absolute) {
        int start = absolute.indexOf("://") + 3;
        int end = authorityEnd(absolute, start);
        if (end == absolute.length()) return "/";
        return absolute.charAt(end) == '?' ? "/" + absolute.substring(end) : absolute.substring(end);
    }

    /**
     * RFC 9112 3.2: an HTTP/1.1 request without Host, or with more than one, is a 400; RFC 9110 7.2 and
     * RFC 3986 3.2.2 define its value. HTTP/2 carries it as :authority (converted to Host by Netty).
     */
    static RequestProblem checkHost(HttpHeaders h, boolean http10, boolean http2) {
        List<String> hosts = h.getAll(HttpHeaderNames.HOST);
        if (hosts.isEmpty()) {
            if (http10) return null;
            return RequestProblem.badRequest(http2 ? "missing :authority" : "missing Host header");
        }
        if (hosts.size() > 1) return RequestProblem.badRequest("more than one Host header");
        if (!isValidAuthority(hosts.get(0))) return RequestProblem.badRequest("invalid Host header");
        return null;
    }

    /**
     * host [ ":" port ] with host an IPv6 literal in brackets or a name of letters, digits, {@code - . _ ~} and
     * percent-escapes. Stricter than RFC 3986 reg-name: sub-delims ({@code , ; = ! $ & ' ( ) * +}) never occur in
     * DNS names and some parsers split on them; userinfo ({@code @}) is deprecated (RFC 9110 4.2.4). An empty
     * port or empty host is refused too.
     */
    static boolean isValidAuthority(CharSequence s) {
        int n = s.length();
        if (n == 0) return false;
        int i = 0;
        if (s.charAt(0) == '[') {
            boolean colon = false;
            for (i = 1; i < n && s.charAt(i) != ']'; i++) {
                char c = s.charAt(i);
                if (c == ':') colon = true;
                else if (c != '.' && Character.digit(c, 16) < 0) return false;
            }
            if (i == n || !colon) return false;
            i++; // past ']'
        } else {
            for (; i < n && s.charAt(i) != ':'; i++) {
                char c = s.charAt(i);
                if (c == '%') {
                    if (i + 2 >= n || Character.digit(s.charAt(i + 1), 16) < 0
                            || Character.digit(s.charAt(i + 2), 16) < 0) {
                        return false;
                    }
                    i += 2;
                } else if (!isHostNameChar(c)) {
                    return false;
                }
            }
            if (i == 0) return false;
        }
        if (i == n) return true;
        if (s.charAt(i) != ':') return false;
        int digits = n - i - 1;
        if (digits < 1 || digits > 5) return false;
        int port = 0;
        for (int j = i + 1; j < n; j++) {
            char c = s.charAt(j);
            if (c < '0' || c > '9') return false;
            port = port * 10 + (c - '0');
        }
        return port <= MAX_PORT;
    }

    private static boolean isHostNameChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '-' || c == '.' || c == '_' || c == '~';
    }

    /** RFC 9112 6.1 and 6.3: one Transfer-Encoding, final coding chunked, never with Content-Length or in 1.0. */
    private static RequestProblem checkFraming(HttpHeaders h, HttpVersion v) {
        List<String> te = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (te.isEmpty()) return null;
        if (te.size() > 1) return RequestProblem.badRequest("repeated Transfer-Encoding");
        if (v != HttpVersion.HTTP_1_1) return RequestProblem.badRequest("Transfer-Encoding is not allowed in HTTP/1.0");
        if (h.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            return RequestProblem.badRequest("both Content-Length and Transfer-Encoding");
        }
        return switch (classifyTransferEncoding(te.get(0))) {
            case CHUNKED -> null;
            case UNSUPPORTED -> unsupportedCoding();
            case INVALID -> invalidCoding();
        };
    }

    /**
     * RFC 9113 8.2.2: connection-specific fields make an HTTP/2 request malformed; {@code te} may only be
     * {@code trailers}. (Netty's HPACK decoder already resets such streams when header validation is on; this
     * is the second line.) Transfer-Encoding is not checked here: the stream codec itself adds
     * {@code transfer-encoding: chunked} to a request whose body length is unknown.
     */
    private static RequestProblem checkHttp2Fields(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION) || h.contains(HttpHeaderNames.UPGRADE)
                || h.contains(StraitHeaders.KEEP_ALIVE) || h.contains(StraitHeaders.PROXY_CONNECTION)) {
            return RequestProblem.badRequest("connection-specific header field in HTTP/2");
        }
        for (String te : h.getAll(HttpHeaderNames.TE)) {
            if (!HttpHeaderValues.TRAILERS.contentEqualsIgnoreCase(te.trim())) {
                return RequestProblem.badRequest("te other than trailers in HTTP/2");
            }
        }
        return null;
    }

    /** RFC 9110 8.6: Content-Length = 1*DIGIT, one value only. */
    private static RequestProblem checkContentLength(HttpHeaders h, ListenerConfig listener) {
        List<String> cl = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
        if (cl.isEmpty()) return null;
        if (cl.size() > 1) return RequestProblem.badRequest("repeated Content-Length");
        long length = parseContentLength(cl.get(0));
        if (length < 0) return RequestProblem.badRequest("invalid Content-Length");
        if (listener.maxRequestBodySize() > 0 && length > listener.maxRequestBodySize()) {
            return RequestProblem.payloadTooLarge();
        }
        return null;
    }

    /** Fields a client sent; HTTP/2 conversion adds x-http2-* bookkeeping fields that do not count. */
    private static int countFields(HttpHeaders h, boolean http2) {
        int n = h.size();
        if (http2) {
            for (ExtensionHeaderNames e : ExtensionHeaderNames.values()) {
                if (h.contains(e.text())) n--;
            }
        }
        return n;
    }

    /** A Content-Length value (optional surrounding OWS) as a number; -1 unless 1 to 18 ASCII digits. */
    static long parseContentLength(CharSequence s) {
        int start = 0;
        int end = s.length();
        while (start < end && isOws(s.charAt(start))) start++;
        while (end > start && isOws(s.charAt(end - 1))) end--;
        int digits = end - start;
        if (digits < 1 || digits > MAX_CONTENT_LENGTH_DIGITS) return -1;
        long v = 0;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return -1;
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /**
     * Exactly {@code chunked} is the only framing we forward. A token list whose last member alone is
     * {@code chunked} (e.g. {@code gzip, chunked}) is well formed but names codings we do not implement (RFC 9112
     * 6.1: 501). Anything else (chunked not last or repeated, empty members, parameters, no chunked) is a 400
     * (RFC 9112 6.3).
     */
    static Coding classifyTransferEncoding(CharSequence value) {
        String[] parts = value.toString().split(",", -1);
        boolean chunked = false;
        for (int i = 0; i < parts.length; i++) {
            String t = trimOws(parts[i]);
            if (t.isEmpty() || !isToken(t)) return Coding.INVALID;
            if (t.equalsIgnoreCase("chunked")) {
                if (i != parts.length - 1) return Coding.INVALID;
                chunked = true;
            }
        }
        if (!chunked) return Coding.INVALID;
        return parts.length == 1 ? Coding.CHUNKED : Coding.UNSUPPORTED;
    }

    static RequestProblem unsupportedCoding() {
        return RequestProblem.notImplemented("only the chunked transfer coding is supported");
    }

    static RequestProblem invalidCoding() {
        return RequestProblem.badRequest("invalid Transfer-Encoding");
    }

    private static boolean isToken(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c > 0xFF || !HttpBytes.isTchar((byte) c)) return false;
        }
        return true;
    }

    private static String trimOws(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isOws(s.charAt(start))) start++;
        while (end > start && isOws(s.charAt(end - 1))) end--;
        return s.substring(start, end);
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }
}
