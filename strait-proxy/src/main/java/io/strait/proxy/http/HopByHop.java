package io.strait.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Hop-by-hop headers (RFC 9110 7.6.1) describe one connection and must not be forwarded: the fixed
 * set below plus every header named in {@code Connection}.
 */
public final class HopByHop {
    private HopByHop() {}

    private static final AsciiString[] ALWAYS = {
        HttpHeaderNames.KEEP_ALIVE, StraitHeaders.PROXY_CONNECTION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
        HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.UPGRADE,
    };

    /**
     * Removes hop-by-hop headers. With {@code keepUpgrade} (a WebSocket handshake in flight), the
     * {@code Upgrade} header survives and {@code Connection: upgrade} is set again.
     */
    public static void strip(HttpHeaders h, boolean keepUpgrade) {
        // Most messages carry none: one pass over the names is cheaper than a lookup per hop-by-hop name.
        if (!keepUpgrade && !anyHopByHop(h)) return;
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            List<String> connection = h.getAll(HttpHeaderNames.CONNECTION);
            for (String value : connection) {
                for (String token : value.split(",")) {
                    String name = token.trim();
                    if (!name.isEmpty() && !(keepUpgrade && name.equalsIgnoreCase("upgrade"))) h.remove(name);
                }
            }
            h.remove(HttpHeaderNames.CONNECTION);
        }
        for (AsciiString name : ALWAYS) {
            if (keepUpgrade && name == HttpHeaderNames.UPGRADE) continue;
            h.remove(name);
        }
        if (keepUpgrade) h.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
    }

    private static boolean anyHopByHop(HttpHeaders h) {
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            if (isHopByHop(it.next().getKey())) return true;
        }
        return false;
    }

    /** Connection and the names of {@link #ALWAYS}, in any letter case. */
    static boolean isHopByHop(CharSequence name) {
        AsciiString[] candidates = switch (name.length()) {
            case 2 -> BY_LENGTH_2;
            case 7 -> BY_LENGTH_7;
            case 10 -> BY_LENGTH_10;
            case 16 -> BY_LENGTH_16;
            case 17 -> BY_LENGTH_17;
            case 18 -> BY_LENGTH_18;
            case 19 -> BY_LENGTH_19;
            default -> null;
        };
        if (candidates == null) return false;
        for (AsciiString c : candidates) {
            if (c.contentEqualsIgnoreCase(name)) return true;
        }
        return false;
    }

    private static final AsciiString[] BY_LENGTH_2 = {HttpHeaderNames.TE};
    private static final AsciiString[] BY_LENGTH_7 = {HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE};
    private static final AsciiString[] BY_LENGTH_10 = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE};
    private static final AsciiString[] BY_LENGTH_16 = {StraitHeaders.PROXY_CONNECTION};
    private static final AsciiString[] BY_LENGTH_17 = {HttpHeaderNames.TRANSFER_ENCODING};
    private static final AsciiString[] BY_LENGTH_18 = {HttpHeaderNames.PROXY_AUTHENTICATE};
    private static final AsciiString[] BY_LENGTH_19 = {HttpHeaderNames.PROXY_AUTHORIZATION};

    /** Whether a request asks to switch to WebSocket (RFC 6455 4.1). */
    public static boolean isWebSocketUpgrade(HttpHeaders h) {
        return h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true)
                && h.contains(HttpHeaderNames.UPGRADE, "websocket", true);
    }
}
