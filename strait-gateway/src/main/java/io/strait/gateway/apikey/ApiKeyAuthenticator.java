package io.strait.gateway.apikey;

import io.netty.handler.codec.http.HttpHeaders;
import io.strait.config.model.ApiKeysConfig;
import io.strait.gateway.auth.AuthOutcome;
import io.strait.gateway.auth.Authenticator;
import io.strait.gateway.auth.Identity;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code apiKey}: the key comes from the configured header (exactly once) or, when
 * {@code auth.apiKeys.queryParam} is set, from that query parameter (not both). A malformed key is
 * refused without a store lookup; a cached key is answered with an already completed future. Logs name
 * key ids, never keys.
 */
public final class ApiKeyAuthenticator implements Authenticator {
    /** {@link Identity#source()} of a verified key. */
    public static final String SOURCE = "apiKey";
    private static final Logger log = LoggerFactory.getLogger(ApiKeyAuthenticator.class);
    private static final AuthOutcome MALFORMED = new AuthOutcome.Invalid("malformed API key");
    private static final AuthOutcome TWO_KEYS = new AuthOutcome.Invalid("more than one API key");
    private static final AuthOutcome UNKNOWN = new AuthOutcome.Invalid("unknown API key");
    private static final AuthOutcome REVOKED = new AuthOutcome.Invalid("API key revoked");
    private static final AuthOutcome EXPIRED = new AuthOutcome.Invalid("API key expired");
    private static final AuthOutcome UNAVAILABLE = new AuthOutcome.Unavailable("key store unavailable");

    private final String header;
    private final String queryParam;
    private final boolean forwardKey;
    private final ApiKeyStore store;
    private final CachingApiKeyLookup lookup;
    private final Clock clock;

    /** Opens the configured store with the configured caches. */
    public static ApiKeyAuthenticator create(ApiKeysConfig config) {
        ApiKeyStore store = ApiKeyStores.forGateway(config.store());
        if (store instanceof RedisApiKeyStore redis) {
            try {
                redis.checkCredentials(io.strait.gateway.redis.RedisConnector.CONNECT_TIMEOUT.multipliedBy(2));
            } catch (io.strait.gateway.redis.RedisConnector.AuthenticationFailed e) {
                store.close();
                throw new IllegalArgumentException("auth.apiKeys.store.uri: " + e.getMessage(), e);
            }
        }
        return new ApiKeyAuthenticator(config, store,
                new CachingApiKeyLookup(store, config.cacheTtl(), config.negativeCacheTtl()), Clock.systemUTC());
    }

    /** @param store closed with this authenticator */
    public ApiKeyAuthenticator(ApiKeysConfig config, ApiKeyStore store, CachingApiKeyLookup lookup, Clock clock) {
        this.header = config.header();
        this.queryParam = config.queryParam();
        this.forwardKey = config.forwardKey();
        this.store = store;
        this.lookup = lookup;
        this.clock = clock;
    }

    @Override
    public CompletionStage<AuthOutcome> authenticate(HttpHeaders headers, String query) {
        try {
            List<String> values = headers.getAll(header);
            int inQuery = queryParam == null ? 0 : QueryParam.count(query, queryParam);
            if (values.size() + inQuery == 0) return CompletableFuture.completedFuture(AuthOutcome.MISSING);
            if (values.size() + inQuery > 1) return CompletableFuture.completedFuture(TWO_KEYS);
            String key = values.isEmpty() ? QueryParam.first(query, queryParam) : values.get(0);
            if (!ApiKeys.wellFormed(key)) return CompletableFuture.completedFuture(MALFORMED);
            String hash = ApiKeys.hash(key);
            CachingApiKeyLookup.Result cached = lookup.cached(hash);
            if (cached != null) return CompletableFuture.completedFuture(outcome(cached));
            return lookup.lookup(hash).handle((r, e) -> e != null ? UNAVAILABLE : outcome(r));
        } catch (RuntimeException e) {
            log.warn("API key check failed: {}", e.toString());
            return CompletableFuture.completedFuture(UNAVAILABLE);
        }
    }

    private AuthOutcome outcome(CachingApiKeyLookup.Result r) {
        return switch (r) {
            case CachingApiKeyLookup.Result.NotFound n -> UNKNOWN;
            case CachingApiKeyLookup.Result.Unavailable u -> UNAVAILABLE;
            case CachingApiKeyLookup.Result.Found f -> verify(f.record());
        };
    }

    private AuthOutcome verify(ApiKeyRecord rec) {
        if (rec.revoked()) {
            log.debug("API key {} refused: revoked", rec.id());
            return REVOKED;
        }
        if (rec.expiredAt(clock.instant())) {
            log.debug("API key {} refused: expired at {}", rec.id(), rec.expiresAt());
            return EXPIRED;
        }
        return new AuthOutcome.Verified(new Identity(SOURCE, null, rec.tenant(),
                Collections.unmodifiableSet(new LinkedHashSet<>(rec.scopes())), rec.id(), Map.of(), rec.plan()));
    }

    @Override
    public String stripCredential(HttpHeaders headers, String query) {
        if (forwardKey) return query;
        headers.remove(header);
        return queryParam == null ? query : QueryParam.remove(query, queryParam);
    }

    /** Keys held by the lookup cache: found ones and known-unknown ones. */
    public int cachedKeys() {
        return lookup.positiveSize();
    }

    public int cachedUnknownKeys() {
        return lookup.negativeSize();
    }

    @Override
    public void close() {
        store.close();
    }
}
