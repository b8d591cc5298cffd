package io.strait.gateway.apikey;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What the store knows about one key (never the key itself; stores index records by the key's hash).
 *
 * @param id short public id ({@code key_...}), shown in lists and sent upstream as X-API-Key-ID
 * @param tenant the tenant the key belongs to (X-Tenant-ID)
 * @param plan a plan name for later rate-limit policies, or null
 * @param rateLimits limits attached to the key (carried for the rate limiter; may be empty)
 * @param scopes granted scopes
 * @param status active or revoked (a revoked record is kept, so its id still lists)
 * @param createdAt when it was created
 * @param expiresAt when it stops working, or null for never
 */
public record ApiKeyRecord(String id, String tenant, String plan, List<RateLimit> rateLimits, List<String> scopes,
        Status status, Instant createdAt, Instant expiresAt) {
    /** Tenant and plan names travel in headers: a conservative token shape. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");

    public enum Status { ACTIVE, REVOKED }

    /** One limit: {@code limit} requests per {@code window}. */
    public record RateLimit(long limit, Duration window) {
        public RateLimit {
            if (limit <= 0) throw new IllegalArgumentException("rate limit must be > 0");
            if (window == null || window.isZero() || window.isNegative()) {
                throw new IllegalArgumentException("rate limit window must be > 0");
            }
        }
    }

    public ApiKeyRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(createdAt, "createdAt");
        String err = checkTenant(tenant);
        if (err != null) throw new IllegalArgumentException(err);
        if (plan != null && !NAME.matcher(plan).matches()) {
            throw new IllegalArgumentException("plan '" + plan + "': use 1-64 letters, digits, '.', '_', ':' or '-'");
        }
        rateLimits = rateLimits == null ? List.of() : List.copyOf(rateLimits);
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        for (String s : scopes) {
            err = checkScope(s);
            if (err != null) throw new IllegalArgumentException(err);
        }
    }

    /** Null when the tenant is acceptable, else why not. */
    public static String checkTenant(String tenant) {
        if (tenant == null || tenant.isEmpty()) return "tenant is required";
        if (!NAME.matcher(tenant).matches()) {
            return "tenant '" + tenant + "': use 1-64 letters, digits, '.', '_', ':' or '-' (starting with a letter or digit)";
        }
        return null;
    }

    /** Null when the scope is acceptable (the rule route policies use), else why not. */
    public static String checkScope(String scope) {
        if (scope == null || scope.isEmpty() || scope.length() > 128
                || scope.chars().anyMatch(c -> c <= 0x20 || c == '"' || c == '\\' || c >= 0x7f)) {
            return "scope '" + scope + "': printable ASCII without spaces, quotes or backslashes, at most 128 characters";
        }
        return null;
    }

    public boolean revoked() {
        return status == Status.REVOKED;
    }

    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }

    public ApiKeyRecord withStatus(Status s) {
        return new ApiKeyRecord(id, tenant, plan, rateLimits, scopes, s, createdAt, expiresAt);
    }
}
