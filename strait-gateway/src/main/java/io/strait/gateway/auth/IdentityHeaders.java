package io.strait.gateway.auth;

import io.strait.config.model.AuthConfig;
import io.strait.config.model.JwtProviderConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** The headers the gateway sets from a verified credential, and the full list it strips from clients. */
public final class IdentityHeaders {
    public static final String USER_ID = "X-User-ID";
    public static final String TENANT_ID = "X-Tenant-ID";
    public static final String SCOPES = "X-Scopes";
    public static final String API_KEY_ID = "X-API-Key-ID";

    private IdentityHeaders() {}

    /** Built-in names, every provider's claim headers and {@code auth.identityHeaders}, without repeats. */
    public static List<String> all(AuthConfig auth) {
        Set<String> lower = new LinkedHashSet<>();
        Set<String> out = new LinkedHashSet<>();
        for (String h : AuthConfig.BUILT_IN_IDENTITY_HEADERS) add(h, lower, out);
        for (JwtProviderConfig p : auth.jwt()) {
            for (String h : p.claimHeaders().keySet()) add(h, lower, out);
        }
        for (String h : auth.identityHeaders()) add(h, lower, out);
        return List.copyOf(out);
    }

    private static void add(String h, Set<String> lower, Set<String> out) {
        if (lower.add(h.toLowerCase(Locale.ROOT))) out.add(h);
    }
}
