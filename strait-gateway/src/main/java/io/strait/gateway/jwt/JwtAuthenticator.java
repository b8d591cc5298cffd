package io.strait.gateway.jwt;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.JwtProviderConfig;
import io.strait.gateway.auth.AuthOutcome;
import io.strait.gateway.auth.Authenticator;
import java.net.http.HttpClient;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Verifies {@code Authorization: Bearer} JWTs of one provider ({@code jwt:NAME}).
 *
 * <p>The common path (keys cached) runs on the caller's thread and returns an already completed stage: extract and
 * shape-check the token, look it up in the verified-token cache, otherwise parse, check the header, verify the
 * signature with a key from the provider's JWKS and check the claims. Only when no key matches (unknown {@code kid}, no
 * keys yet) does the result wait for a JWKS fetch, which completes on the fetching thread.
 *
 * <p>Header rules: {@code alg} must be in the provider's allow-list (asymmetric only) and fit the selected key's type,
 * curve and the JWK's own {@code alg}; {@code jku}, {@code x5u}, {@code jwk} and {@code x5c} are refused (keys come only
 * from the configured JWKS); any {@code crit} is refused (we understand no extension); a {@code kid} that looks like a
 * path or URL is refused. A token without {@code kid} is tried against at most {@link #MAX_KEYS_TRIED} keys of the right
 * type.
 */
public final class JwtAuthenticator implements Authenticator {
    /** Bounds the signature checks one token can cost (a token without kid, or several keys sharing a kid). */
    static final int MAX_KEYS_TRIED = 3;

    private final JwtProviderConfig config;
    private final JwtTuning tuning;
    private final Set<JWSAlgorithm> allowed;
    private final ClaimsPolicy claims;
    private final VerifiedTokenCache tokenCache;
    private final JwtMetrics metrics = new JwtMetrics();
    private final JwksCache jwks;

    /** A provider with default tuning; starts loading its keys at once. */
    public JwtAuthenticator(JwtProviderConfig config, HttpClient http, ScheduledExecutorService scheduler) {
        this(config, http, scheduler, JwtTuning.DEFAULTS);
    }

    /**
     * @param http used for {@code jwksUri} fetches (shared; prefer one that does not follow redirects)
     * @param scheduler runs refresh timers and {@code jwksFile} reads (shared; never an event loop)
     */
    public JwtAuthenticator(JwtProviderConfig config, HttpClient http, ScheduledExecutorService scheduler,
            JwtTuning tuning) {
        if ((config.jwksUri() == null) == (config.jwksFile() == null)) {
            throw new IllegalArgumentException("jwt provider " + config.name() + ": set exactly one of jwksUri and jwksFile");
        }
        this.config = config;
        this.tuning = tuning;
        this.allowed = allowedAlgorithms(config);
        this.claims = new ClaimsPolicy(config);
        this.tokenCache = new VerifiedTokenCache(tuning.tokenCacheSize());
        JwksSource source = config.jwksUri() != null
                ? new HttpJwksSource(http, config.jwksUri(), config.jwksTimeout(), config.jwksRefresh(),
                        tuning.maxJwksBytes())
                : new FileJwksSource(config.jwksFile(), scheduler, tuning.filePollInterval(), tuning.maxJwksBytes());
        this.jwks = new JwksCache(config.name(), source, scheduler, tuning, metrics, this::keysChanged);
        jwks.start();
    }

    @Override
    public CompletionStage<AuthOutcome> authenticate(HttpHeaders headers, String query) {
        try {
            return authenticate(headers);
        } catch (RuntimeException e) {
            return reject(Reasons.MALFORMED); // a library surprise on hostile input must not escape the data path
        }
    }

    private CompletionStage<AuthOutcome> authenticate(HttpHeaders headers) {
        BearerToken.Result found = BearerToken.extract(headers);
        if (found instanceof BearerToken.NotBearer) return CompletableFuture.completedStage(AuthOutcome.MISSING);
        if (found instanceof BearerToken.Rejected r) return reject(r.reason());
        String token = ((BearerToken.Token) found).value();

        VerifiedTokenCache.Key key = tokenCache.enabled() ? VerifiedTokenCache.Key.of(token) : null;
        if (key != null) {
            CompletionStage<AuthOutcome> hit = tokenCache.get(key, tuning.clock().millis());
            if (hit != null) {
                metrics.onCacheHit();
                metrics.onVerified();
                return hit;
            }
        }
        SignedJWT jwt;
        try {
            JWT parsed = JWTParser.parse(token);
            if (!(parsed instanceof SignedJWT s)) return reject(Reasons.UNSUPPORTED_ALG); // alg "none"
            jwt = s;
        } catch (ParseException e) {
            return reject(Reasons.MALFORMED);
        }
        String bad = checkHeader(jwt.getHeader());
        if (bad != null) return reject(bad);

        KeySet keys = jwks.current();
        List<SigningKey> candidates = keys == null ? List.of() : keys.candidates(jwt.getHeader().getKeyID());
        if (!candidates.isEmpty()) return verify(jwt, candidates, key);
        if (keys != null && jwt.getHeader().getKeyID() == null) return reject(Reasons.UNKNOWN_KEY);

        CompletableFuture<KeySet> fetch = jwks.fetchOnDemand();
        if (fetch == null) return keys == null ? unavailable() : reject(Reasons.UNKNOWN_KEY);
        return fetch.thenCompose(fresh -> {
            if (fresh == null) return unavailable();
            List<SigningKey> again = fresh.candidates(jwt.getHeader().getKeyID());
            return again.isEmpty() ? reject(Reasons.UNKNOWN_KEY) : verify(jwt, again, key);
        }).exceptionally(e -> new AuthOutcome.Invalid(Reasons.MALFORMED));
    }

    private String checkHeader(JWSHeader h) {
        if (!allowed.contains(h.getAlgorithm())) return Reasons.UNSUPPORTED_ALG;
        if (h.getJWKURL() != null || h.getJWK() != null || h.getX509CertURL() != null || h.getX509CertChain() != null) {
            return Reasons.TOKEN_KEYS;
        }
        if (h.getCriticalParams() != null && !h.getCriticalParams().isEmpty()) return Reasons.CRIT;
        String kid = h.getKeyID();
        if (kid != null && !BearerToken.isSafeKid(kid)) return Reasons.BAD_KID;
        return null;
    }

    private CompletionStage<AuthOutcome> verify(SignedJWT jwt, List<SigningKey> candidates, VerifiedTokenCache.Key key) {
        JWSHeader header = jwt.getHeader();
        byte[] input = jwt.getSigningInput();
        boolean fits = false;
        boolean valid = false;
        int tried = 0;
        for (SigningKey k : candidates) {
            if (!k.accepts(header.getAlgorithm())) continue;
            fits = true;
            if (tried++ == MAX_KEYS_TRIED) break;
            metrics.onSignatureCheck();
            if (k.verify(header, input, jwt.getSignature())) {
                valid = true;
                break;
            }
        }
        if (!valid) return reject(fits ? Reasons.BAD_SIGNATURE : Reasons.ALG_KEY_MISMATCH);
        JWTClaimsSet set;
        try {
            set = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return reject(Reasons.MALFORMED);
        }
        long now = tuning.clock().millis();
        AuthOutcome outcome = claims.evaluate(set, now);
        if (!(outcome instanceof AuthOutcome.Verified v)) return reject(((AuthOutcome.Invalid) outcome).description());
        metrics.onVerified();
        if (key == null) return CompletableFuture.completedStage(v);
        return tokenCache.put(key, v, set.getExpirationTime().getTime(), now);
    }

    private CompletionStage<AuthOutcome> reject(String reason) {
        metrics.onRejected(reason);
        return CompletableFuture.completedStage(new AuthOutcome.Invalid(reason));
    }

    private CompletionStage<AuthOutcome> unavailable() {
        metrics.onUnavailable();
        return CompletableFuture.completedStage(new AuthOutcome.Unavailable(Reasons.KEYS_UNAVAILABLE));
    }

    /** A withdrawn key must not keep its tokens alive through the cache. */
    private void keysChanged(KeySet old, KeySet fresh) {
        if (old.removedIn(fresh)) tokenCache.clear();
    }

    @Override
    public String stripCredential(HttpHeaders headers, String query) {
        if (!config.forwardToken()) headers.remove(HttpHeaderNames.AUTHORIZATION);
        return query;
    }

    /** Completes when signing keys are loaded for the first time; never fails (use a timeout). */
    public CompletableFuture<Void> keysLoaded() {
        return jwks.firstLoad().copy();
    }

    /** This provider's counters. */
    public JwtMetrics metrics() {
        return metrics;
    }

    /** Verified tokens currently cached (for tests and metrics). */
    int cachedTokens() {
        return tokenCache.size();
    }

    /** The provider name ({@code jwt:NAME} without the prefix). */
    public String name() {
        return config.name();
    }

    @Override
    public void close() {
        jwks.close();
        tokenCache.clear();
    }

    private static Set<JWSAlgorithm> allowedAlgorithms(JwtProviderConfig config) {
        List<String> names = config.algorithms() == null || config.algorithms().isEmpty()
                ? JwtProviderConfig.DEFAULT_ALGORITHMS : config.algorithms();
        Set<JWSAlgorithm> out = new HashSet<>();
        for (String n : names) {
            if (!JwtProviderConfig.SUPPORTED_ALGORITHMS.contains(n)) {
                throw new IllegalArgumentException("jwt provider " + config.name() + ": algorithm " + n + " not supported");
            }
            out.add(JWSAlgorithm.parse(n));
            // RFC 9864 names Ed25519 signatures "Ed25519"; "EdDSA" is the older, polymorphic name for the same thing.
            if (n.equals("EdDSA")) out.add(JWSAlgorithm.Ed25519);
        }
        return Set.copyOf(out);
    }
}
