package io.strait.gateway;

import io.strait.config.model.ApiKeysConfig;
import io.strait.config.model.AuthConfig;
import io.strait.config.model.JwtProviderConfig;
import io.strait.config.model.RouteAuth;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.strait.gateway.apikey.ApiKeyAuthenticator;
import io.strait.gateway.auth.AuthPolicyFilter;
import io.strait.gateway.auth.AuthResults;
import io.strait.gateway.auth.Authenticator;
import io.strait.gateway.auth.AuthenticatorFactory;
import io.strait.gateway.auth.IdentityHeaders;
import io.strait.gateway.auth.IdentityHeadersFilter;
import io.strait.gateway.jwt.JwtAuthenticator;
import io.strait.gateway.jwt.JwtMetrics;
import io.strait.gateway.ratelimit.RateLimitStores;
import io.strait.gateway.ratelimit.RateLimits;
import io.strait.config.load.FilterCatalog;
import io.strait.config.model.FilterConfig;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RouteRateLimit;
import io.strait.proxy.filter.FilterFactory;
import io.strait.proxy.filter.FilterModule;
import io.strait.proxy.filter.FilterScope;
import io.strait.filters.StandardFilters;
import io.strait.gateway.versioning.DeprecatedCalls;
import io.strait.gateway.versioning.VersionFilters;
import java.time.Clock;
import io.strait.filters.transform.TransformMetrics;
import java.util.function.BiFunction;
import io.strait.proxy.filter.HttpFilter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's filters: on every listener the identity headers only the gateway may set are stripped;
 * the {@code auth} filter checks credentials and the {@code rateLimit} filter charges the (then known)
 * caller's buckets, wherever a route declares them (or its {@code auth:}/{@code rateLimit:} short forms);
 * the general filters ({@link StandardFilters}: cors, headers) are registered too, and the {@code version}
 * filter of routes that serve an API version ({@code versionSets}). Authenticators
 * outlive reloads while their settings stay the same (JWKS caches, token caches and store connections
 * are kept); a changed or removed provider's old authenticator is closed once the new configuration is
 * in place.
 */
public final class GatewayFilters implements FilterModule {
    private static final Logger log = LoggerFactory.getLogger(GatewayFilters.class);
    /** What a gateway's configuration may declare: the loader's own filters, the standard ones and the gateway's. */
    public static final FilterCatalog CATALOG = FilterModule.catalogOf(edgeFactories());

    private record Built(Object settings, Authenticator authenticator) {}

    private final AuthenticatorFactory factory;
    /** By credential name ({@code jwt:NAME}, {@code apiKey}): the live authenticators. */
    private final Map<String, Built> live = new HashMap<>();
    /** Built by {@link #prepare} for the configuration being applied, promoted by {@link #committed}. */
    private Map<String, Built> next = Map.of();
    private IdentityHeadersFilter identity = new IdentityHeadersFilter(IdentityHeaders.all(AuthConfig.NONE));
    private AuthConfig auth = AuthConfig.NONE;
    /** Null until {@link #registerMetrics} (tests may build filters without a registry). */
    private Counter results;

    private final RateLimits rateLimits;
    /** When API versions are deprecated and sunset ({@code versionSets}); tests pass their own. */
    private final Clock clock;
    private final DeprecatedCalls deprecatedCalls = new DeprecatedCalls();

    public GatewayFilters(AuthenticatorFactory factory) {
        this(factory, new RateLimits(RateLimitStores::create));
    }

    public GatewayFilters(AuthenticatorFactory factory, RateLimits rateLimits) {
        this(factory, rateLimits, Clock.systemUTC());
    }

    /** {@code clock}: the time API versions' deprecation and sunset are compared with. */
    public GatewayFilters(AuthenticatorFactory factory, Clock clock) {
        this(factory, new RateLimits(RateLimitStores::create), clock);
    }

    public GatewayFilters(AuthenticatorFactory factory, RateLimits rateLimits, Clock clock) {
        this.factory = factory;
        this.rateLimits = rateLimits;
        this.clock = clock;
    }

    @Override
    public void eventLoops(io.netty.channel.EventLoopGroup loops) {
        rateLimits.eventLoops(loops);
    }

    @Override
    public void registerMetrics(PrometheusRegistry registry) {
        rateLimits.registerMetrics(registry);
        deprecatedCalls.register(registry);
        RateLimitStores.registerMetrics(registry, rateLimits::current);
        TransformMetrics.registerMetrics(registry);
        results = Counter.builder()
                .name("strait_auth_requests_total")
                .help("Requests checked by a route's auth policy, by route and result"
                        + " (verified, missing, invalid, insufficient_scope, unavailable)")
                .labelNames("route", "result")
                .withoutExemplars()
                .register(registry);
        CounterWithCallback.builder()
                .name("strait_jwt_tokens_total")
                .help("Bearer tokens checked, by provider and result (verified, rejected, unavailable)")
                .labelNames("provider", "result")
                .callback(cb -> {
                    for (JwtAuthenticator j : authenticators(JwtAuthenticator.class)) {
                        JwtMetrics m = j.metrics();
                        cb.call(m.verified(), j.name(), "verified");
                        cb.call(m.rejectedByReason().values().stream().mapToLong(Long::longValue).sum(), j.name(), "rejected");
                        cb.call(m.unavailable(), j.name(), "unavailable");
                    }
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("strait_jwt_token_cache_hits_total")
                .help("Tokens answered from the verified-token cache (no signature check), by provider")
                .labelNames("provider")
                .callback(cb -> {
                    for (JwtAuthenticator j : authenticators(JwtAuthenticator.class)) cb.call(j.metrics().cacheHits(), j.name());
                })
                .register(registry);
        CounterWithCallback.builder()
                .name("strait_jwt_jwks_fetches_total")
                .help("JWKS fetches by provider and result (failure: unreachable, slow, non-200 or unusable keys)")
                .labelNames("provider", "result")
                .callback(cb -> {
                    for (JwtAuthenticator j : authenticators(JwtAuthenticator.class)) {
                        JwtMetrics m = j.metrics();
                        cb.call(m.jwksFetches() - m.jwksFetchFailures(), j.name(), "success");
                        cb.call(m.jwksFetchFailures(), j.name(), "failure");
                    }
                })
                .register(registry);
        GaugeWithCallback.builder()
                .name("strait_apikey_cache_entries")
                .help("API keys held by the lookup cache, by kind (found, unknown)")
                .labelNames("kind")
                .callback(cb -> {
                    for (ApiKeyAuthenticator a : authenticators(ApiKeyAuthenticator.class)) {
                        cb.call(a.cachedKeys(), "found");
                        cb.call(a.cachedUnknownKeys(), "unknown");
                    }
                })
                .register(registry);
    }

    /** The live authenticators of one kind, for metric callbacks (scrape time, any thread). */
    private synchronized <T> List<T> authenticators(Class<T> type) {
        List<T> out = new ArrayList<>();
        for (Built b : live.values()) {
            if (type.isInstance(b.authenticator())) out.add(type.cast(b.authenticator()));
        }
        return out;
    }

    @Override
    public synchronized void prepare(StraitConfig config) {
        dropUncommitted();
        Map<String, Built> fresh = new HashMap<>();
        List<Authenticator> created = new ArrayList<>();
        try {
            List<JwtProviderConfig> providers = config.auth().jwt();
            for (int i = 0; i < providers.size(); i++) {
                JwtProviderConfig p = providers.get(i);
                String key = RouteAuth.JWT_PREFIX + p.name();
                fresh.put(key, reuseOrBuild(key, p, created, "auth.jwt[" + i + "]", () -> factory.jwt(p)));
            }
            ApiKeysConfig keys = config.auth().apiKeys();
            if (keys != null) {
                fresh.put(RouteAuth.API_KEY, reuseOrBuild(RouteAuth.API_KEY, keys, created, "auth.apiKeys", () -> factory.apiKeys(keys)));
            }
        } catch (RuntimeException e) {
            created.forEach(GatewayFilters::closeQuietly);
            throw e;
        }
        boolean limited = config.routes().stream().anyMatch(r -> !r.rateLimit().isEmpty());
        try {
            rateLimits.prepare(config.rateLimits(), limited);
        } catch (RuntimeException e) {
            created.forEach(GatewayFilters::closeQuietly);
            throw e;
        }
        next = fresh;
        auth = config.auth();
        identity = new IdentityHeadersFilter(IdentityHeaders.all(config.auth()));
    }

    private Built reuseOrBuild(String key, Object settings, List<Authenticator> created, String path,
            java.util.function.Supplier<Authenticator> build) {
        Built old = live.get(key);
        if (old != null && old.settings().equals(settings)) return old;
        Authenticator a;
        try {
            a = build.get();
        } catch (IllegalArgumentException e) {
            throw e.getMessage() != null && e.getMessage().startsWith("auth.") ? e
                    : new IllegalArgumentException(path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(path + ": cannot start: " + e.getMessage(), e);
        }
        created.add(a);
        return new Built(settings, a);
    }

    /** The standard filters and the gateway's filters that keep no state across reloads (graphql). */
    private static List<FilterFactory<?>> edgeFactories() {
        List<FilterFactory<?>> all = new ArrayList<>(StandardFilters.factories());
        all.add(new io.strait.gateway.graphql.GraphqlFactory());
        return all;
    }

    @Override
    public List<FilterFactory<?>> factories() {
        List<FilterFactory<?>> all = edgeFactories();
        all.add(new Factory<>(FilterCatalog.AUTH, RouteAuth.class, this::authFilter));
        all.add(new Factory<>(FilterCatalog.RATE_LIMIT, RouteRateLimit.class,
                (limit, scope) -> rateLimits.routeFilter(scope.route(), limit)));
        all.add(new VersionFilters(clock, deprecatedCalls));
        return all;
    }

    /** A factory of the gateway's own filters, whose settings the loader reads. */
    private record Factory<C extends FilterConfig>(String name, Class<C> configType, BiFunction<C, FilterScope, HttpFilter> make)
            implements FilterFactory<C> {
        @Override
        public HttpFilter create(C config, FilterScope scope) {
            return make.apply(config, scope);
        }
    }

    @Override
    public synchronized List<HttpFilter> listenerFilters(ListenerConfig listener) {
        return List.of(identity);
    }

    private synchronized HttpFilter authFilter(RouteAuth policy, FilterScope scope) {
        RouteConfig route = scope.route();
        List<AuthPolicyFilter.Step> steps = new ArrayList<>();
        for (String c : policy.credentials()) {
            Built b = next.get(c);
            if (b == null) throw new IllegalStateException("no authenticator for " + c); // the loader checked names
            steps.add(new AuthPolicyFilter.Step(c, b.authenticator()));
        }
        String keyHeader = policy.credentials().contains(RouteAuth.API_KEY) && auth.apiKeys() != null
                ? auth.apiKeys().header() : null;
        return new AuthPolicyFilter(policy, steps, keyHeader, AuthResults.of(results, route.name()));
    }

    /** A configuration prepared but never applied (its reload failed later) leaves authenticators nobody uses. */
    private void dropUncommitted() {
        for (Map.Entry<String, Built> e : next.entrySet()) {
            Built current = live.get(e.getKey());
            if (current == null || current.authenticator() != e.getValue().authenticator()) closeQuietly(e.getValue().authenticator());
        }
        next = Map.copyOf(live);
    }

    @Override
    public synchronized void committed(StraitConfig config) {
        for (Map.Entry<String, Built> e : live.entrySet()) {
            Built now = next.get(e.getKey());
            if (now == null || now.authenticator() != e.getValue().authenticator()) closeQuietly(e.getValue().authenticator());
        }
        live.clear();
        live.putAll(next);
        rateLimits.committed();
    }

    @Override
    public synchronized void close() {
        dropUncommitted();
        for (Built b : live.values()) closeQuietly(b.authenticator());
        live.clear();
        next = Map.of();
        rateLimits.close();
        factory.close();
    }

    private static void closeQuietly(Authenticator a) {
        try {
            a.close();
        } catch (RuntimeException e) {
            log.warn("closing an authenticator failed: {}", e.toString());
        }
    }
}
