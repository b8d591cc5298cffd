package io.strait.proxy.admin;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.proxy.tls.ClientCertificate;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.function.Supplier;

/**
 * Who may change the running configuration through the admin API ({@code PUT /config}, {@code POST /reload}).
 *
 * <p>A write is accepted when the client presented a certificate that the admin listener's TLS verified
 * ({@code admin.tls.clientAuth}). Otherwise, when {@code admin.token} is set, it must carry {@code
 * Authorization: Bearer <token>}, whatever the address: setting a token is how an operator shuts out other
 * local users and processes too. Without a token, writes are accepted only when the admin listener is bound
 * to a loopback address, which only this machine can reach; an admin listener on any other address (a
 * wildcard such as 0.0.0.0 included) refuses them.
 * The peer's address is never trusted instead: a local reverse proxy or tunnel makes remote clients look local.
 * Tokens are compared in constant time and never logged or echoed.
 */
final class AdminAccess {
    private static final String BEARER = "bearer ";

    /** The current configuration's token (a reload may set, change or remove it), or null. */
    private final Supplier<String> token;
    private final boolean loopbackBound;
    /** Whether the listener's TLS asks clients for certificates (verified against its clientAuth CA). */
    private final boolean clientCertificates;

    AdminAccess(Supplier<String> token, InetSocketAddress bound, boolean clientCertificates) {
        this.token = token;
        this.loopbackBound = bound.getAddress() != null && bound.getAddress().isLoopbackAddress();
        this.clientCertificates = clientCertificates;
    }

    boolean loopbackBound() {
        return loopbackBound;
    }

    /** Whether some request could write: a client certificate, the token, or a loopback address. */
    boolean writable() {
        return clientCertificates || loopbackBound || token.get() != null;
    }

    /**
     * Null when the write on {@code connection} may proceed, else the reason it is refused (for a 403; never
     * contains a token).
     */
    String refusal(HttpHeaders headers, Channel connection) {
        if (clientCertificates && ClientCertificate.of(connection) != null) return null;
        String expected = token.get();
        if (expected == null) {
            if (loopbackBound) return null;
            return clientCertificates ? "configuration writes need a client certificate the admin API trusts"
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
