package io.strait.gateway.jwt;

import com.nimbusds.jwt.JWTClaimsSet;
import io.strait.config.model.JwtProviderConfig;
import io.strait.gateway.auth.AuthOutcome;
import io.strait.gateway.auth.Identity;
import java.util.Collections;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks the registered claims of a verified token and maps the rest to an {@link Identity}.
 *
 * <ul>
 *   <li>{@code iss} must equal the issuer; {@code aud} must contain a configured audience (when any is configured);
 *       {@code exp} is required; {@code nbf} and {@code iat} are checked when present; all with the clock skew.</li>
 *   <li>{@code sub} is required, a string of printable ASCII (it becomes {@code X-User-ID}).</li>
 *   <li>The tenant claim is optional; a string or number; anything else, or a value with characters outside printable
 *       ASCII, rejects the token (a mangled tenant must not reach a service).</li>
 *   <li>Scopes: {@code scope} (space-separated string) and {@code scp} (array of strings, or a string); entries with
 *       characters RFC 6749 does not allow in a scope are skipped.</li>
 *   <li>Claim headers: strings, numbers and booleans as text; arrays of those joined with ','; objects and arrays
 *       holding objects or arrays are skipped. A value with any character outside printable ASCII (control
 *       characters, CR/LF, non-Latin text) is dropped, never forwarded.</li>
 * </ul>
 */
final class ClaimsPolicy {
    private final String issuer;
    private final List<String> audiences;
    private final long skewMillis;
    private final String tenantClaim;
    private final Map<String, String> claimHeaders;
    private final String source;

    ClaimsPolicy(JwtProviderConfig config) {
        this.issuer = config.issuer();
        this.audiences = config.audiences() == null ? List.of() : List.copyOf(config.audiences());
        this.skewMillis = config.clockSkew() == null ? 0 : config.clockSkew().toMillis();
        this.tenantClaim = config.tenantClaim();
        this.claimHeaders = config.claimHeaders() == null ? Map.of() : Map.copyOf(config.claimHeaders());
        this.source = "jwt:" + config.name();
    }

    /** Verified with the identity, or Invalid with a fixed reason. */
    AuthOutcome evaluate(JWTClaimsSet c, long nowMillis) {
        Date exp = c.getExpirationTime();
        if (exp == null) return new AuthOutcome.Invalid(Reasons.MISSING_EXP);
        if (nowMillis >= exp.getTime() + skewMillis) return new AuthOutcome.Invalid(Reasons.EXPIRED);
        Date nbf = c.getNotBeforeTime();
        if (nbf != null && nowMillis + skewMillis < nbf.getTime()) return new AuthOutcome.Invalid(Reasons.NOT_YET_VALID);
        Date iat = c.getIssueTime();
        if (iat != null && iat.getTime() > nowMillis + skewMillis) return new AuthOutcome.Invalid(Reasons.ISSUED_IN_FUTURE);
        if (!issuer.equals(c.getIssuer())) return new AuthOutcome.Invalid(Reasons.WRONG_ISSUER);
        if (!audiences.isEmpty() && !containsAny(c.getAudience(), audiences)) {
            return new AuthOutcome.Invalid(Reasons.WRONG_AUDIENCE);
        }
        String sub = c.getSubject();
        if (sub == null || sub.isEmpty() || !printable(sub)) return new AuthOutcome.Invalid(Reasons.BAD_SUBJECT);
        String tenant = null;
        if (tenantClaim != null) {
            Object t = c.getClaim(tenantClaim);
            if (t != null) {
                tenant = t instanceof String || t instanceof Number ? t.toString() : null;
                if (tenant == null || tenant.isEmpty() || !printable(tenant)) {
                    return new AuthOutcome.Invalid(Reasons.BAD_TENANT);
                }
            }
        }
        // the claims as JSON values (dates as epoch seconds), for later filters
        return new AuthOutcome.Verified(new Identity(source, sub, tenant, scopes(c), null, headers(c)),
                java.util.Collections.unmodifiableMap(c.toJSONObject()));
    }

    private static boolean containsAny(List<String> tokenAud, List<String> accepted) {
        if (tokenAud == null) return false;
        for (String a : tokenAud) {
            if (accepted.contains(a)) return true;
        }
        return false;
    }

    private static Set<String> scopes(JWTClaimsSet c) {
        Set<String> out = new LinkedHashSet<>();
        addScopes(out, c.getClaim("scope"));
        addScopes(out, c.getClaim("scp"));
        return Collections.unmodifiableSet(out);
    }

    private static void addScopes(Set<String> out, Object claim) {
        if (claim instanceof String s) {
            for (String part : s.split(" ")) {
                if (isScope(part)) out.add(part);
            }
        } else if (claim instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String s && isScope(s)) out.add(s);
            }
        }
    }

    /** RFC 6749 scope-token: %x21 / %x23-5B / %x5D-7E. */
    private static boolean isScope(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\') return false;
        }
        return true;
    }

    private Map<String, String> headers(JWTClaimsSet c) {
        if (claimHeaders.isEmpty()) return Map.of();
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : claimHeaders.entrySet()) {
            String value = text(c.getClaim(e.getValue()));
            if (value != null && !value.isEmpty() && printable(value)) out.put(e.getKey(), value);
        }
        return Collections.unmodifiableMap(out);
    }

    private static String text(Object v) {
        if (v instanceof String || v instanceof Number || v instanceof Boolean) return v.toString();
        if (v instanceof List<?> list) {
            StringBuilder sb = new StringBuilder();
            for (Object o : list) {
                if (!(o instanceof String || o instanceof Number || o instanceof Boolean)) return null;
                if (!sb.isEmpty()) sb.append(',');
                sb.append(o);
            }
            return sb.toString();
        }
        return null;
    }

    /** Printable ASCII and space: safe as a header value (no CR/LF/NUL, nothing a codec would mangle). */
    private static boolean printable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch < 0x20 || ch > 0x7e) return false;
        }
        return true;
    }
}
