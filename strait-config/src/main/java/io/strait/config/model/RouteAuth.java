package io.strait.config.model;

import java.util.List;

/**
 * A route's authentication policy ({@code routes[i].auth}). No policy, or {@code auth: none}, lets
 * every request through (identity headers are still stripped).
 *
 * @param mode how the credentials combine
 * @param credentials {@code jwt:NAME} or {@code apiKey}, in the order they are tried
 * @param scopes every one of these must be granted (by the JWT's scope claim or the API key's scopes)
 */
public record RouteAuth(Mode mode, List<String> credentials, List<String> scopes) implements FilterConfig {
    public enum Mode { NONE, ANY_OF, ALL_OF }

    public static final RouteAuth NONE = new RouteAuth(Mode.NONE, List.of(), List.of());
    public static final String API_KEY = "apiKey";
    public static final String JWT_PREFIX = "jwt:";
}
