package io.strait.config.model;

/**
 * The admin listener: /ready, /metrics, /config, /clusters, PUT /config and POST /reload. Loopback by default.
 *
 * @param token the bearer token that admin writes ({@code PUT /config}, {@code POST /reload}) may carry,
 *     or null: then writes are accepted only when the admin listener is bound to a loopback address (or, with
 *     {@code tls.clientAuth}, the client presents a certificate the listener trusts)
 * @param tls TLS on the admin listener (HTTP/1.1 only), or null for plain HTTP
 */
public record AdminConfig(HostPort address, String token, TlsConfig tls) {

    /** An admin listener without a token. */
    public AdminConfig(HostPort address) {
        this(address, null, null);
    }

    /** A plain admin listener. */
    public AdminConfig(HostPort address, String token) {
        this(address, token, null);
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "AdminConfig[address=" + address + ", token=" + (token == null ? "none" : "***") + ", tls=" + tls + "]";
    }
}
