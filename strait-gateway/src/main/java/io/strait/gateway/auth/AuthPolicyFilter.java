package io.strait.gateway.auth;

import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.RouteAuth;
import io.strait.proxy.filter.FilterResult;
import io.strait.proxy.filter.HttpFilter;
import io.strait.proxy.filter.RequestContext;
import io.strait.proxy.observe.Caller;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/**
 * A route's auth policy: asks each of its authenticators, combines their outcomes (any-of: one valid
 * credential is enough; all-of: every one must be valid), checks the required scopes, and on success
 * sets the identity headers and removes the credentials before the request goes upstream.
 *
 * <p>Outcomes, in order of precedence for any-of: a verified credential wins; else an invalid one
 * answers 401 (a client that sent a bad token learns so, even if another kind is missing); else an
 * unavailable check answers 503; else (nothing sent) 401. All-of needs every credential verified:
 * the first missing or invalid one answers 401, an unavailable one 503.
 *
 * <p>When every authenticator answered at once (cached keys, cached tokens) everything happens on
 * the event loop in this call; otherwise the chain suspends and resumes on the loop.
 */
public final class AuthPolicyFilter implements HttpFilter {
    /** One credential of the policy: its name ({@code jwt:main}, {@code apiKey}) and its checker. */
    public record Step(String credential, Authenticator authenticator) {}

    private final RouteAuth policy;
    private final List<Step> steps;
    private final String apiKeyHeader;
    private final AuthResults results;

    /**
     * @param apiKeyHeader the API-key header, named in the 401 challenge when the policy accepts keys; else null
     */
    public AuthPolicyFilter(RouteAuth policy, List<Step> steps, String apiKeyHeader, AuthResults results) {
        this.policy = policy;
        this.steps = List.copyOf(steps);
        this.apiKeyHeader = apiKeyHeader;
        this.results = results;
    }

    @Override
    public FilterResult onRequest(RequestContext ctx) {
        int n = steps.size();
        @SuppressWarnings("unchecked")
        CompletableFuture<AuthOutcome>[] pending = new CompletableFuture[n];
        boolean allDone = true;
        HttpHeaders headers = ctx.headers();
        String query = ctx.query();
        for (int i = 0; i < n; i++) {
            CompletableFuture<AuthOutcome> f;
            try {
                f = steps.get(i).authenticator().authenticate(headers, query).toCompletableFuture();
            } catch (RuntimeException e) {
                f = CompletableFuture.completedFuture(new AuthOutcome.Unavailable("authentication failed"));
            }
            pending[i] = f;
            allDone &= f.isDone();
        }
        if (allDone) return decide(ctx, outcomes(pending));
        return FilterResult.suspend(CompletableFuture.allOf(pending)
                .handle((ignored, err) -> FilterResult.onLoop(c -> decide(c, outcomes(pending)))));
    }

    private static AuthOutcome[] outcomes(CompletableFuture<AuthOutcome>[] pending) {
        AuthOutcome[] out = new AuthOutcome[pending.length];
        for (int i = 0; i < pending.length; i++) {
            AuthOutcome o = pending[i].isCompletedExceptionally() ? null : pending[i].getNow(null);
            out[i] = o != null ? o : new AuthOutcome.Unavailable("authentication failed");
        }
        return out;
    }

    /** Runs on the request's event loop. */
    private FilterResult decide(RequestContext ctx, AuthOutcome[] outcomes) {
        List<Identity> verified = new ArrayList<>(outcomes.length);
        String invalid = null;
        String unavailable = null;
        boolean missing = false;
        for (AuthOutcome o : outcomes) {
            switch (o) {
                case AuthOutcome.Verified v -> verified.add(v.identity());
                case AuthOutcome.Invalid i -> { if (invalid == null) invalid = i.description(); }
                case AuthOutcome.Unavailable u -> { if (unavailable == null) unavailable = u.description(); }
                case AuthOutcome.Missing m -> missing = true;
            }
        }
        boolean ok = policy.mode() == RouteAuth.Mode.ALL_OF
                ? verified.size() == outcomes.length
                : !verified.isEmpty();
        if (!ok) {
            if (policy.mode() == RouteAuth.Mode.ALL_OF && unavailable == null && invalid == null && missing) {
                results.missing.inc();
                return Challenges.unauthorized("missing credentials", apiKeyHeader);
            }
            if (invalid != null) {
                results.invalid.inc();
                return Challenges.unauthorized(invalid, apiKeyHeader);
            }
            if (unavailable != null) {
                results.unavailable.inc();
                return Challenges.unavailable(unavailable);
            }
            results.missing.inc();
            return Challenges.unauthorized("missing credentials", apiKeyHeader);
        }
        Set<String> granted = new TreeSet<>();
        for (Identity id : verified) granted.addAll(id.scopes());
        if (!granted.containsAll(policy.scopes())) {
            results.insufficientScope.inc();
            return Challenges.insufficientScope(policy.scopes());
        }
        results.verified.inc();
        Identity caller = merge(verified, granted);
        ctx.attr(Identity.KEY).set(caller);
        ctx.caller(new Caller(caller.tenant(), caller.keyId(), caller.userId())); // the access log's: ids, never the credential
        if (!caller.claims().isEmpty()) ctx.claims(caller.claims());
        setIdentity(ctx.headers(), verified, granted);
        String query = ctx.query();
        for (Step s : steps) query = s.authenticator().stripCredential(ctx.headers(), query);
        ctx.query(query);
        return FilterResult.CONTINUE;
    }

    /** One identity from every verified credential (all-of): first non-null of each field, in policy order. */
    private static Identity merge(List<Identity> verified, Set<String> scopes) {
        if (verified.size() == 1) return verified.get(0);
        String user = null, tenant = null, keyId = null, plan = null;
        java.util.Map<String, Object> claims = java.util.Map.of();
        StringBuilder source = new StringBuilder();
        java.util.Map<String, String> extra = new java.util.LinkedHashMap<>();
        for (Identity id : verified) {
            if (!source.isEmpty()) source.append('+');
            source.append(id.source());
            if (user == null) user = id.userId();
            if (tenant == null) tenant = id.tenant();
            if (keyId == null) keyId = id.keyId();
            if (plan == null) plan = id.plan();
            if (claims.isEmpty()) claims = id.claims();
            id.extraHeaders().forEach(extra::putIfAbsent);
        }
        return new Identity(source.toString(), user, tenant, Set.copyOf(scopes), keyId, java.util.Map.copyOf(extra), plan, claims);
    }

    /** The identity headers (the client's own were removed by {@link IdentityHeadersFilter}). */
    private static void setIdentity(HttpHeaders h, List<Identity> verified, Set<String> scopes) {
        String user = null, tenant = null, keyId = null;
        for (Identity id : verified) {
            if (user == null) user = id.userId();
            if (tenant == null) tenant = id.tenant();
            if (keyId == null) keyId = id.keyId();
            id.extraHeaders().forEach((k, v) -> { if (!h.contains(k)) h.set(k, v); }); // first credential wins, as in merge
        }
        if (user != null) h.set(IdentityHeaders.USER_ID, user);
        if (tenant != null) h.set(IdentityHeaders.TENANT_ID, tenant);
        if (keyId != null) h.set(IdentityHeaders.API_KEY_ID, keyId);
        if (!scopes.isEmpty()) h.set(IdentityHeaders.SCOPES, String.join(" ", scopes));
    }
}
