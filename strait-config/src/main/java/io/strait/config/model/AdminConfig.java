package io.strait.config.model;

/**
 * The admin listener: /ready, /metrics, /config, /clusters, PUT /config and POST /reload. Loopback by default.
 *
 * @param token the bearer token that admin writes ({@code PUT /config}, {@code POST /reload}) must carry,
 *     or null: then writes are accepted only when the admin listener is bound to a loopback address
 */
public record AdminConfig(HostPort address, String token) {

    /** An admin listener without a token. */
    public AdminConfig(HostPort address) {
        this(address, null);
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "AdminConfig[address=" + address + ", token=" + (token == null ? "none" : "***") + "]";
    }
}
