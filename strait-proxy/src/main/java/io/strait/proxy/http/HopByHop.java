package io.strait.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.List;

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

    /** Whether a request asks to switch to WebSocket (RFC 6455 4.1). */
    public static boolean isWebSocketUpgrade(HttpHeaders h) {
        return h.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE, true)
                && h.contains(HttpHeaderNames.UPGRADE, "websocket", true);
    }
}
