package io.strait.proxy.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Hop-by-hop headers (RFC 9110 7.6.1) describe one connection and must not be forwarded: the fixed
 * set {@link #FIXED} plus every header named in {@code Connection}.
 */
public final class HopByHop {
    private HopByHop() {}

    /**
     * Removes hop-by-hop headers. With {@code keepUpgrade} (a WebSocket handshake in flight), the
     * {@code Upgrade} header survives and {@code Connection: upgrade} is set again.
     */
    public static void strip(HttpHeaders h, boolean keepUpgrade) {
        if (keepUpgrade) {
            List<String> listed = connectionOptions(h, true);
            for (int i = 0; i < listed.size(); i++) h.remove(listed.get(i));
            for (AsciiString name : FIXED) {
                if (name != HttpHeaderNames.UPGRADE) h.remove(name);
            }
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderNames.UPGRADE);
            return;
        }
        // Most messages carry none, or only Connection: one pass over the headers finds the hop-by-hop names
        // present and the Connection values, and only they are removed (each removal hashes and searches;
        // Netty's header iterator cannot remove).
        List<CharSequence> present = null;
        List<CharSequence> connectionValues = null;
        for (Iterator<Map.Entry<CharSequence, CharSequence>> it = h.iteratorCharSequence(); it.hasNext(); ) {
            Map.Entry<CharSequence, CharSequence> e = it.next();
            CharSequence name = e.getKey();
            if (!isHopByHop(name)) continue;
            if (present == null) present = new ArrayList<>(2);
            present.add(name);
            if (HttpHeaderNames.CONNECTION.contentEqualsIgnoreCase(name)) {
                if (connectionValues == null) connectionValues = new ArrayList<>(1);
                connectionValues.add(e.getValue());
            }
        }
        if (present == null) return;
        for (int i = 0; i < present.size(); i++) h.remove(present.get(i));
        if (connectionValues != null) {
            for (int i = 0; i < connectionValues.size(); i++) removeListed(h, connectionValues.get(i));
        }
    }

    /**
     * Removes the headers a {@code Connection} value names. A name that is itself hop-by-hop (such as
     * {@code keep-alive}, the usual value) was removed already, if present: it costs no lookup.
     */
    private static void removeListed(HttpHeaders h, CharSequence value) {
        int n = value.length();
        int i = 0;
        while (i < n) {
            while (i < n && (value.charAt(i) == ' ' || value.charAt(i) == '\t' || value.charAt(i) == ',')) i++;
            int start = i;
            while (i < n && value.charAt(i) != ',') i++;
            int end = i;
            while (end > start && (value.charAt(end - 1) == ' ' || value.charAt(end - 1) == '\t')) end--;
            if (end > start && !isHopByHop(value, start, end)) h.remove(value.subSequence(start, end).toString());
        }
    }

    private static final AsciiString[] FIXED = {
        HttpHeaderNames.KEEP_ALIVE, StraitHeaders.PROXY_CONNECTION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
        HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION,
        HttpHeaderNames.UPGRADE,
    };

    /** The header names the {@code Connection} header lists (RFC 9110 7.6.1), but {@code upgrade} when kept. */
    private static List<String> connectionOptions(HttpHeaders h, boolean keepUpgrade) {
        List<String> values = h.getAll(HttpHeaderNames.CONNECTION);
        if (values.isEmpty()) return List.of();
        List<String> names = new ArrayList<>(2);
        for (String value : values) {
            for (String token : value.split(",")) {
                String name = token.trim();
                if (!name.isEmpty() && !(keepUpgrade && name.equalsIgnoreCase("upgrade"))) names.add(name);
            }
        }
        return names;
    }

    /** Connection and the {@link #FIXED} hop-by-hop names, in any letter case. */
    static boolean isHopByHop(CharSequence name) {
        AsciiString[] candidates = candidates(name.length());
        if (candidates == null) return false;
        for (AsciiString c : candidates) {
            if (c.contentEqualsIgnoreCase(name)) return true;
        }
        return false;
    }

    /** Whether {@code s[from, to)} is Connection or one of the {@link #FIXED} names, in any letter case. */
    private static boolean isHopByHop(CharSequence s, int from, int to) {
        AsciiString[] candidates = candidates(to - from);
        if (candidates == null) return false;
        for (AsciiString c : candidates) {
            if (equalsIgnoreCase(c, s, from)) return true;
        }
        return false;
    }

    /** The hop-by-hop names of that length, or null. */
    private static AsciiString[] candidates(int length) {
        return switch (length) {
            case 2 -> BY_LENGTH_2;
            case 7 -> BY_LENGTH_7;
            case 10 -> BY_LENGTH_10;
            case 16 -> BY_LENGTH_16;
            case 17 -> BY_LENGTH_17;
            case 18 -> BY_LENGTH_18;
            case 19 -> BY_LENGTH_19;
            default -> null;
        };
    }

    /** Whether {@code s} from {@code from} holds {@code lower} (a lower-case name) in any ASCII letter case. */
    private static boolean equalsIgnoreCase(AsciiString lower, CharSequence s, int from) {
        for (int i = 0; i < lower.length(); i++) {
            char c = s.charAt(from + i);
            if (c >= 'A' && c <= 'Z') c = (char) (c + ('a' - 'A'));
            if (c != (char) lower.byteAt(i)) return false;
        }
        return true;
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
