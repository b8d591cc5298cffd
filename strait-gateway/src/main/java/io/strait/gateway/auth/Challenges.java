package io.strait.gateway.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.http.ReplyReason;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The answers of a failed auth check (RFC 6750 section 3): 401 with a {@code WWW-Authenticate: Bearer}
 * challenge for a missing or invalid credential, 403 {@code insufficient_scope} naming the scopes the
 * route needs, 503 when credentials cannot be checked now. Descriptions are fixed texts chosen by the
 * authenticators; they never contain the credential.
 */
final class Challenges {
    static final String REALM = "strait";

    private Challenges() {}

    static FilterResult unauthorized(String description, String apiKeyHeader) {
        List<Map.Entry<String, String>> headers = new ArrayList<>(2);
        headers.add(Map.entry(HttpHeaderNames.WWW_AUTHENTICATE.toString(),
                "Bearer realm=\"" + REALM + "\", error=\"invalid_token\", error_description=\"" + quoted(description) + "\""));
        if (apiKeyHeader != null) {
            headers.add(Map.entry(HttpHeaderNames.WWW_AUTHENTICATE.toString(),
                    "ApiKey realm=\"" + REALM + "\", header=\"" + apiKeyHeader + "\""));
        }
        return FilterResult.respond(ReplyReason.AUTH, HttpResponseStatus.UNAUTHORIZED, "unauthorized", description, headers);
    }

    static FilterResult insufficientScope(List<String> required) {
        String scopes = String.join(" ", required);
        return FilterResult.respond(ReplyReason.AUTH, HttpResponseStatus.FORBIDDEN, "insufficient_scope",
                "this route requires the scope(s): " + scopes,
                List.of(Map.entry(HttpHeaderNames.WWW_AUTHENTICATE.toString(), "Bearer realm=\"" + REALM
                        + "\", error=\"insufficient_scope\", error_description=\"missing required scope\", scope=\""
                        + quoted(scopes) + "\"")));
    }

    static FilterResult unavailable(String description) {
        return FilterResult.respond(ReplyReason.AUTH, HttpResponseStatus.SERVICE_UNAVAILABLE, "auth_unavailable", description,
                List.of(Map.entry(HttpHeaderNames.RETRY_AFTER.toString(), "1")));
    }

    /** A quoted-string body (RFC 9110 5.6.4) limited to printable ASCII; descriptions are ours, this is defence in depth. */
    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c >= 0x20 && c < 0x7f) sb.append(c);
        }
        return sb.toString();
    }
}
