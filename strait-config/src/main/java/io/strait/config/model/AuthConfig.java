package io.strait.config.model;

import java.util.List;

/**
 * The gateway's authentication providers (section {@code auth}); routes choose among them with
 * {@link RouteAuth}.
 *
 * @param jwt JWT providers, by name ({@code jwt:NAME} in a route's policy)
 * @param apiKeys API-key authentication ({@code apiKey} in a route's policy), or null when not configured
 * @param identityHeaders headers, besides {@link #BUILT_IN_IDENTITY_HEADERS} and the providers' claim
 *     headers, that only the gateway may set: removed from every client request, on every route
 */
public record AuthConfig(List<JwtProviderConfig> jwt, ApiKeysConfig apiKeys, List<String> identityHeaders) {
    /** Set from a verified credential, and stripped from every client request. */
    public static final List<String> BUILT_IN_IDENTITY_HEADERS = List.of("X-User-ID", "X-Tenant-ID", "X-Scopes", "X-API-Key-ID");

    public static final AuthConfig NONE = new AuthConfig(List.of(), null, List.of());

    public JwtProviderConfig jwtProvider(String name) {
        for (JwtProviderConfig p : jwt) {
            if (p.name().equals(name)) return p;
        }
        return null;
    }
}
