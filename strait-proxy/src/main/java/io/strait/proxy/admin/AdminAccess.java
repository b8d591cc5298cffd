package io.strait.proxy.admin;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * Who may change the running configuration through the admin API ({@code PUT /config}, {@code POST /reload}).
 *
 * <p>When {@code admin.token} is set, a write must carry {@code Authorization: Bearer <token>}, whatever the
 * address: setting a token is how an operator shuts out other local users and processes too. Without a token,
 * writes are accepted only when the admin listener is bound to a loopback address, which only this machine
 * can reach; an admin listener on any other address (a wildcard such as 0.0.0.0 included) refuses every write.
 * The peer's address is never trusted instead: a local reverse proxy or tunnel makes remote clients look local.
 * Tokens are compared in constant time and never logged or echoed.
 */
final class AdminAccess {
    private static final String BEARER = "bearer ";

    /** The current configuration's token (a reload may set, change or remove it), or null. */
    private final Supplier<String> token;
    private final boolean loopbackBound;

    AdminAccess(Supplier<String> token, InetSocketAddress bound) {
        this.token = token;
        this.loopbackBound = bound.getAddress() != null && bound.getAddress().isLoopbackAddress();
    }

    boolean loopbackBound() {
        return loopbackBound;
    }

    /** Null when the write may proceed, else the reason it is refused (for a 403; never contains a token). */
    String refusal(HttpHeaders headers) {
        String expected = token.get();
        if (expected == null) {
            return loopbackBound ? null
                    : "the admin API is not on a loopback address and admin.token is not set: configuration writes are disabled";
        }
        String auth = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (auth == null || auth.length() <= BEARER.length() || !auth.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return "configuration writes need the admin token: Authorization: Bearer <admin.token>";
        }
        byte[] given = auth.substring(BEARER.length()).strip().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expected.getBytes(StandardCharsets.UTF_8)) ? null : "invalid admin token";
    }
}
