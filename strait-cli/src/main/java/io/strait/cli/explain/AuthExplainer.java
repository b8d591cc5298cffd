package io.strait.cli.explain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.config.model.ApiKeysConfig;
import io.strait.config.model.AuthConfig;
import io.strait.config.model.JwtProviderConfig;
import io.strait.config.model.RouteAuth;
import io.strait.gateway.apikey.ApiKeyRecord;
import io.strait.gateway.apikey.ApiKeys;
import io.strait.gateway.apikey.FileApiKeyStore;
import io.strait.gateway.auth.AuthOutcome;
import io.strait.gateway.jwt.UnverifiedClaims;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the {@code auth} filter can be known to decide offline: which credentials apply, whether each is present and
 * well formed, a JWT's claims (decoded, never verified: the signature needs the issuer's keys), an API key looked up
 * in a file store. The verdict says what is certain ("401: no credential") and what only the running gateway knows.
 */
final class AuthExplainer {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AuthConfig auth;
    private final ExplainRequest req;
    private final Instant now;

    AuthExplainer(AuthConfig auth, ExplainRequest req, Instant now) {
        this.auth = auth;
        this.req = req;
        this.now = now;
    }

    /** The caller as far as it is known offline: the JWT's subject or the key's id and tenant. */
    record Caller(String subject, String keyId, String tenant, String plan) {
        static final Caller NONE = new Caller(null, null, null, null);
    }

    private Caller caller = Caller.NONE;

    /** Who the credentials say the caller is, once {@link #explain} ran. */
    Caller caller() {
        return caller;
    }

    /** What one credential was found to be offline. */
    private enum Found { ABSENT, REFUSED, UNVERIFIED, VALID }

    ObjectNode explain(RouteAuth a, ObjectNode out) {
        out.put("mode", a.mode() == RouteAuth.Mode.ALL_OF ? "allOf" : a.mode() == RouteAuth.Mode.ANY_OF ? "anyOf" : "none");
        if (!a.scopes().isEmpty()) out.putPOJO("scopes", a.scopes());
        ArrayNode creds = out.putArray("credentials");
        java.util.List<Found> found = new java.util.ArrayList<>();
        java.util.Set<String> granted = new java.util.LinkedHashSet<>();
        for (String c : a.credentials()) {
            ObjectNode n = creds.addObject().put("credential", c);
            Found f = c.startsWith(RouteAuth.JWT_PREFIX) ? jwt(c.substring(RouteAuth.JWT_PREFIX.length()), n, granted) : apiKey(n, granted);
            found.add(f);
        }
        out.put("verdict", verdict(a, found, granted));
        return out;
    }

    private static String verdict(RouteAuth a, java.util.List<Found> found, java.util.Set<String> granted) {
        if (a.mode() == RouteAuth.Mode.NONE || a.credentials().isEmpty()) return "passes: the route needs no credential";
        boolean any = a.mode() == RouteAuth.Mode.ANY_OF;
        if (any ? found.stream().allMatch(f -> f == Found.ABSENT) : found.contains(Found.ABSENT)) {
            return "401: " + (any ? "none of the credentials is present" : "a credential is missing");
        }
        if (any ? found.stream().noneMatch(f -> f == Found.VALID || f == Found.UNVERIFIED) : found.contains(Found.REFUSED)) {
            return "401: the credential is refused (see its note)";
        }
        java.util.List<String> missing = a.scopes().stream().filter(sc -> !granted.contains(sc)).toList();
        if (!missing.isEmpty()) return "403 insufficient_scope: not granted " + missing;
        boolean certain = any ? found.contains(Found.VALID) : found.stream().allMatch(f -> f == Found.VALID);
        return certain ? "passes" : "passes if the token's signature verifies (only the running gateway has the issuer's keys)";
    }

    private Found jwt(String provider, ObjectNode n, java.util.Set<String> granted) {
        JwtProviderConfig p = auth.jwt().stream().filter(j -> j.name().equals(provider)).findFirst().orElse(null);
        if (p != null) n.put("issuer", p.issuer()).putPOJO("audiences", p.audiences());
        String h = req.header("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
            n.put("present", false).put("note", "no Authorization: Bearer header");
            return Found.ABSENT;
        }
        n.put("present", true);
        String[] parts = h.substring(7).trim().split("\\.", -1);
        if (parts.length != 3) {
            n.put("wellFormed", false).put("note", "not a JWT (three base64url parts separated by dots)");
            return Found.REFUSED;
        }
        try {
            JsonNode header = JSON.readTree(Base64.getUrlDecoder().decode(parts[0]));
            JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
            n.put("wellFormed", true).put("verified", false)
                    .put("note", "claims decoded but NOT verified: the signature needs the issuer's keys");
            n.set("header", header);
            n.set("claims", claims);
            if (claims.has("exp") && claims.get("exp").canConvertToLong()) n.put("expires", Instant.ofEpochSecond(claims.get("exp").asLong()).toString());
            if (p == null) {
                n.put("problem", "no jwt provider named '" + provider + "'");
                return Found.REFUSED;
            }
            // the gateway's own claim rules (issuer, audience, expiry with the skew, subject, tenant, scopes)
            AuthOutcome judged = UnverifiedClaims.evaluate(p, new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8), now);
            if (!(judged instanceof AuthOutcome.Verified v)) {
                n.put("problem", judged instanceof AuthOutcome.Invalid bad ? bad.description() : "not accepted");
                return Found.REFUSED;
            }
            caller = new Caller(v.identity().userId(), null, v.identity().tenant(), null);
            granted.addAll(v.identity().scopes());
            return Found.UNVERIFIED;
        } catch (IllegalArgumentException | java.io.IOException e) {
            n.put("wellFormed", false).put("note", "its parts are not base64url JSON");
            return Found.REFUSED;
        }
    }

    private Found apiKey(ObjectNode n, java.util.Set<String> granted) {
        ApiKeysConfig k = auth.apiKeys();
        String header = k == null ? ApiKeysConfig.DEFAULT_HEADER : k.header();
        String key = req.header(header);
        if (key == null && k != null && k.queryParam() != null) key = req.queryParam(k.queryParam());
        n.put("header", header);
        if (key == null) {
            n.put("present", false).put("note", "no " + header + " header" + (k != null && k.queryParam() != null
                    ? " nor ?" + k.queryParam() + "=" : ""));
            return Found.ABSENT;
        }
        n.put("present", true).put("wellFormed", ApiKeys.wellFormed(key));
        if (!ApiKeys.wellFormed(key)) {
            n.put("note", "not shaped as a key (" + ApiKeys.PREFIX + "...): 401 without a lookup");
            return Found.REFUSED;
        }
        ApiKeysConfig.Store store = k == null ? ApiKeysConfig.Store.DEFAULT : k.store();
        if (store.type() != ApiKeysConfig.StoreType.FILE) {
            n.put("store", "redis").put("note", "looked up in Redis by the running gateway, not offline");
            return Found.UNVERIFIED;
        }
        n.put("store", store.path().toString());
        try (FileApiKeyStore s = FileApiKeyStore.open(store.path())) {
            Optional<ApiKeyRecord> r = s.lookup(ApiKeys.hash(key)).toCompletableFuture().get(5, TimeUnit.SECONDS);
            if (r.isEmpty()) {
                n.put("found", false).put("note", "no such key in the store: 401");
                return Found.REFUSED;
            }
            ApiKeyRecord rec = r.get();
            n.put("found", true).put("id", rec.id()).put("tenant", rec.tenant()).put("plan", rec.plan())
                    .put("status", rec.status().name().toLowerCase(java.util.Locale.ROOT)).putPOJO("scopes", rec.scopes());
            if (rec.expiresAt() != null) n.put("expires", rec.expiresAt().toString());
            if (rec.status() == ApiKeyRecord.Status.REVOKED) {
                n.put("note", "revoked: 401");
                return Found.REFUSED;
            }
            if (rec.expiresAt() != null && rec.expiresAt().isBefore(now)) {
                n.put("note", "expired: 401");
                return Found.REFUSED;
            }
            caller = new Caller(null, rec.id(), rec.tenant(), rec.plan());
            granted.addAll(rec.scopes());
            return Found.VALID;
        } catch (Exception e) {
            n.put("note", "the key file cannot be read offline: " + e.getMessage());
            return Found.UNVERIFIED;
        }
    }
}
