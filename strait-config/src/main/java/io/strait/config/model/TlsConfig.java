package io.strait.config.model;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * TLS termination on a listener. File paths are absolute (relative ones were resolved against the
 * config file's directory); the files themselves are read by the proxy, and read again when they change.
 *
 * @param certificates the first is the default: served when SNI names none of them, or no name is sent
 * @param minVersion {@code TLSv1.2} or {@code TLSv1.3}; nothing older is ever offered
 * @param alpn protocols offered by ALPN, in preference order ({@code h2}, {@code http/1.1})
 * @param clientAuth whether clients must present a certificate
 * @param hsts the Strict-Transport-Security header added to responses, or null for none
 * @param reloadCheckInterval how often the certificate and key files are checked for changes
 * @param allowPlaintext whether the port also takes plaintext connections (HTTP/1.1 or h2c), told apart from
 *     TLS by their first byte (a TLS handshake starts with 0x16): a service mesh's PERMISSIVE mode, for
 *     migrating callers to mutual TLS. Off by default
 */
public record TlsConfig(
        List<Certificate> certificates,
        String minVersion,
        List<String> alpn,
        ClientAuth clientAuth,
        Hsts hsts,
        Duration reloadCheckInterval,
        boolean allowPlaintext) {

    /** TLS only (no plaintext on the same port). */
    public TlsConfig(List<Certificate> certificates, String minVersion, List<String> alpn, ClientAuth clientAuth, Hsts hsts,
            Duration reloadCheckInterval) {
        this(certificates, minVersion, alpn, clientAuth, hsts, reloadCheckInterval, false);
    }

    public static final String TLS_1_2 = "TLSv1.2";
    public static final String TLS_1_3 = "TLSv1.3";
    public static final String ALPN_H2 = "h2";
    public static final String ALPN_HTTP1 = "http/1.1";

    /**
     * A certificate chain (PEM, leaf first) and its private key (PEM: PKCS#8, PKCS#1 or SEC1 EC).
     *
     * @param serverNames SNI names it serves ({@code *.example.com} wildcards allowed); empty: the
     *     DNS names of the certificate's subjectAltName
     */
    public record Certificate(Path certFile, Path keyFile, List<String> serverNames) {}

    /** Client certificates: {@code caFile} holds the CA certificates (PEM) a client chain must lead to. */
    public record ClientAuth(Mode mode, Path caFile) {
        public static final ClientAuth NONE = new ClientAuth(Mode.NONE, null);

        public enum Mode { NONE, OPTIONAL, REQUIRE }
    }

    /** {@code Strict-Transport-Security: max-age=<seconds>[; includeSubDomains]}. */
    public record Hsts(Duration maxAge, boolean includeSubDomains) {
        public String headerValue() {
            return "max-age=" + maxAge.toSeconds() + (includeSubDomains ? "; includeSubDomains" : "");
        }
    }
}
