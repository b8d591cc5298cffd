package io.strait.config.load;

import io.strait.config.model.AdminConfig;
import io.strait.config.model.FilterConfig;
import io.strait.config.model.FilterSpec;
import io.strait.config.model.JwtProviderConfig;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.ObservabilityConfig;
import io.strait.config.model.RateLimitPolicy;
import io.strait.config.model.RouteAuth;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteRateLimit;
import io.strait.config.model.RouteVersion;
import io.strait.config.model.StraitConfig;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The one validation pass over a configuration model, whatever its source: a file or a {@code PUT /config}
 * document (after the readers, which keep what is about the document: types, unknown fields, syntax, files
 * they read), or a model built by code (a control plane's push to {@code ProxyServer.apply}). Every error is
 * {@code path: message} with the path and words a reader gives for the same value in a document
 * ({@code routes[2].cluster: unknown cluster 'userz'}, {@code clusters.users.endpoints: must list at least one
 * endpoint}), so the same model gives the same errors from any source. It never throws: a model with nulls
 * where a value is required gets {@code path: is required}.
 *
 * <p>Not checked here: the contents of certificate, key and CA files (a document's reader reads them; for a
 * model they may come from a certificate source set by code, and the proxy reads them when it applies the
 * model), and a declared filter's settings beyond what its record says in {@link FilterConfig#problems()}.
 */
public final class ConfigValidator {
    private ConfigValidator() {}

    /** Every error of {@code config}, each {@code path: message}, in section order; empty when it is valid. */
    public static List<String> validate(StraitConfig config) {
        return validate(config, null);
    }

    /**
     * As {@link #validate(StraitConfig)}; {@code catalog} (nullable) names the filters this process runs, so a
     * filter it does not know is an error.
     */
    public static List<String> validate(StraitConfig config, FilterCatalog catalog) {
        if (config == null) return List.of("the configuration is missing");
        Errors errors = new Errors();
        Check check = new Check(errors);
        try {
            new Pass(check, config, catalog).run();
        } catch (RuntimeException e) { // a rule that met a shape it did not expect: an error, never an exception
            errors.add("", "the configuration cannot be checked (" + e + ")");
        }
        List<String> out = new ArrayList<>(new LinkedHashSet<>(errors.list()));
        if (whole(config)) { // the checks across sections need every section; a missing one is already an error
            for (String e : ConfigCheck.check(config)) {
                if (!out.contains(e)) out.add(e);
            }
        }
        return List.copyOf(out);
    }

    /** Whether every section and every entry of a list is there. */
    private static boolean whole(StraitConfig c) {
        return c.listeners() != null && c.routes() != null && c.clusters() != null
                && c.listeners().stream().allMatch(java.util.Objects::nonNull)
                && c.routes().stream().allMatch(r -> r != null && r.name() != null);
    }

    /** One run over one model. */
    private static final class Pass {
        private final Check check;
        private final StraitConfig config;
        private final FilterCatalog catalog;
        private final ListenerRules listeners;

        Pass(Check check, StraitConfig config, FilterCatalog catalog) {
            this.check = check;
            this.config = config;
            this.catalog = catalog;
            this.listeners = new ListenerRules(check);
        }

        void run() {
            admin(config.admin());
            if (check.required("listeners", config.listeners())) listeners.listeners(config.listeners());
            if (config.zone() != null && config.zone().isBlank()) check.error("zone", "must not be empty");
            if (check.required("clusters", config.clusters())) {
                new ClusterRules(check, listeners).clusters(config.clusters(), config.zone(), config.mesh());
            }
            if (config.mesh() != null) new MeshRules(check).section("mesh", config.mesh());
            if (check.required("routes", config.routes())) routes();
            if (check.required("observability", config.observability())) observability(config.observability());
            check.notNegative("drainTimeout", config.drainTimeout());
            if (check.required("auth", config.auth()) && check.required("auth.jwt", config.auth().jwt())) jwt(config.auth().jwt());
            if (config.auth() != null) {
                check.required("auth.identityHeaders", config.auth().identityHeaders());
                if (config.auth().apiKeys() != null) apiKeys(config.auth().apiKeys());
            }
            if (check.required("rateLimits", config.rateLimits()) && check.required("rateLimits.policies", config.rateLimits().policies())) {
                rateLimits(config.rateLimits().policies());
            }
            if (config.rateLimits() != null) rateLimitStore(config.rateLimits().store());
            if (check.required("versionSets", config.versionSets())) new VersionSetRules(check).sets(config.versionSets());
            if (config.listeners() != null) {
                for (int i = 0; i < config.listeners().size(); i++) {
                    ListenerConfig l = config.listeners().get(i);
                    if (l != null) filters("listeners[" + i + "]", l.filters(), null);
                }
            }
        }

        private void admin(AdminConfig admin) {
            if (!listeners.address("admin.address", admin == null ? null : admin.address())) return;
            if (admin.tls() != null) {
                listeners.tls("admin.tls", admin.tls(), EnumSet.of(ListenerConfig.Protocol.HTTP1));
                if (admin.tls().hsts() != null) check.error("admin.tls.hsts", "is not sent by the admin API; leave it out");
                if (admin.tls().allowPlaintext()) check.error("admin.tls.allowPlaintext", "is for listeners; the admin API is TLS only when it has tls");
            }
        }

        private void routes() {
            RouteRules rules = new RouteRules(check, new ClusterRules(check, listeners),
                    config.clusters() == null ? Map.of() : config.clusters());
            for (int i = 0; i < config.routes().size(); i++) {
                String p = "routes[" + i + "]";
                RouteConfig r = config.routes().get(i);
                if (!check.required(p, r)) continue;
                rules.route(p, r, catalog != null && r.filters() != null
                        && r.filters().stream().anyMatch(f -> f != null && catalog.terminal(f.name())),
                        catalog != null && !catalog.terminalNames().isEmpty());
                filters(p, r.filters(), r);
            }
        }

        /** Each filter is one this process knows, with settings that hold. */
        /** {@code route}: the route that declares them, null for a listener's. */
        private void filters(String owner, List<FilterSpec> specs, RouteConfig route) {
            boolean onRoute = route != null;
            String answering = onRoute ? answering(specs) : null;
            for (int j = 0; j < specs.size(); j++) {
                FilterSpec f = specs.get(j);
                String entry = owner + ".filters[" + j + "]";
                if (!check.required(entry, f) || !check.required(entry + ".name", f.name())) continue;
                String base = f.path() != null ? f.path() : entry;
                String p = base.endsWith("." + f.name()) ? base : base + "." + f.name();
                List<String> known = catalog != null ? catalog.names() : List.of(FilterCatalog.AUTH, FilterCatalog.RATE_LIMIT);
                boolean version = f.name().equals(FilterCatalog.VERSION);
                boolean own = f.name().equals(FilterCatalog.AUTH) || f.name().equals(FilterCatalog.RATE_LIMIT) || version;
                if (!known.contains(f.name()) && !version && (catalog != null || own)) {
                    String hint = Names.closest(f.name(), known);
                    check.error(p, "unknown filter '" + f.name() + "'" + (hint != null ? " (did you mean '" + hint + "'?)"
                            : " (this process knows " + String.join(", ", known) + ")"));
                    continue;
                }
                if (!check.required(p, f.config())) continue;
                if (own && !onRoute) {
                    check.error(p, "only routes take the " + f.name() + " filter (it needs the route to know who may call what)");
                    continue;
                }
                switch (f.config()) {
                    case RouteAuth a when f.name().equals(FilterCatalog.AUTH) -> auth(p, a);
                    case RouteRateLimit r when f.name().equals(FilterCatalog.RATE_LIMIT) -> rateLimit(p, r);
                    case RouteVersion v when version -> {
                        VersionSetRules rules = new VersionSetRules(check);
                        rules.reference(p, v, config.versionSets());
                        if (route != null) rules.path(p, v, route.match());
                    }
                    default -> {
                        if (own) check.error(p, "holds " + f.config().getClass().getSimpleName() + ", not the " + f.name() + " filter's settings");
                    }
                }
                List<FilterConfig.Problem> problems;
                try {
                    problems = f.config().problems();
                } catch (RuntimeException e) { // a filter's own check that fails names the filter, not the whole pass
                    check.error(p, "the filter's settings cannot be checked (" + e + ")");
                    continue;
                }
                for (FilterConfig.Problem problem : problems) {
                    check.error(problem.field().isEmpty() ? p : p + "." + problem.field(), problem.message());
                }
                if (answering != null && f.config().shapesResponseBodies()) {
                    check.error(p, "shapes the bodies of upstream responses, and this route has none: its " + answering
                            + " answers every request itself (its answer passes no body filter)");
                }
            }
        }

        /** The name of the filter that answers every request of these (it runs last), or null when none does. */
        private String answering(List<FilterSpec> specs) {
            if (catalog == null) return null;
            for (FilterSpec f : specs) {
                if (f != null && f.name() != null && catalog.terminal(f.name())) return f.name();
            }
            return null;
        }

        private void auth(String p, RouteAuth a) {
            if (a.mode() == null || a.mode() == RouteAuth.Mode.NONE) return;
            String field = p + (a.mode() == RouteAuth.Mode.ANY_OF ? ".anyOf" : ".allOf");
            if (!check.required(field, a.credentials()) | !check.required(p + ".scopes", a.scopes())) return;
            if (a.credentials().isEmpty()) check.error(field, "must name at least one credential (jwt:NAME or apiKey)");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < a.credentials().size(); i++) {
                String c = a.credentials().get(i);
                String cp = field + "[" + i + "]";
                if (!seen.add(c)) check.error(cp, "'" + c + "' is named twice");
                else credential(cp, c);
            }
            for (int i = 0; i < a.scopes().size(); i++) {
                String sc = a.scopes().get(i);
                if (sc == null || sc.isEmpty() || sc.chars().anyMatch(ch -> ch <= 0x20 || ch == '"' || ch == '\\' || ch >= 0x7f)) {
                    check.error(p + ".scopes[" + i + "]", "a scope is printable ASCII without spaces, quotes or backslashes");
                }
            }
        }

        private void credential(String p, String c) {
            if (config.auth() == null || config.auth().jwt() == null) return; // already an error: auth is required
            if (RouteAuth.API_KEY.equals(c)) {
                if (config.auth().apiKeys() == null) check.error(p, "apiKey needs an auth.apiKeys section");
            } else if (c != null && c.startsWith(RouteAuth.JWT_PREFIX)) {
                String name = c.substring(RouteAuth.JWT_PREFIX.length());
                List<String> known = config.auth().jwt().stream().filter(java.util.Objects::nonNull)
                        .map(JwtProviderConfig::name).filter(java.util.Objects::nonNull).toList();
                if (known.contains(name)) return;
                String hint = Names.closest(name, known);
                check.error(p, "unknown JWT provider '" + name + "'" + (hint != null ? " (did you mean '" + hint + "'?)"
                        : known.isEmpty() ? " (auth.jwt declares none)" : ""));
            } else {
                String hint = c == null ? null : Names.closest(c, List.of("none", RouteAuth.API_KEY));
                check.error(p, "unknown credential '" + c + "': use jwt:NAME or apiKey" + (hint != null ? " (did you mean '" + hint + "'?)" : ""));
            }
        }

        private void rateLimit(String p, RouteRateLimit r) {
            Set<String> declared = config.rateLimits() == null || config.rateLimits().policies() == null ? Set.of()
                    : config.rateLimits().policies().keySet();
            if (r.policies().isEmpty()) check.error(p, "must name at least one rate-limit policy");
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < r.policies().size(); i++) {
                String name = r.policies().get(i);
                String pp = p + "[" + i + "]";
                if (!declared.contains(name)) {
                    String hint = Names.closest(name, declared);
                    check.error(pp, "unknown rate-limit policy '" + name + "'" + (hint != null ? " (did you mean '" + hint + "'?)"
                            : declared.isEmpty() ? " (rateLimits.policies declares none)" : ""));
                }
                if (!seen.add(name)) check.error(pp, "'" + name + "' is named twice");
            }
        }

        private void observability(ObservabilityConfig o) {
            var log = o.accessLog();
            if (check.required("observability.accessLog", log)) {
                if (check.required("observability.accessLog.path", log.path()) && log.path().isBlank()) {
                    check.error("observability.accessLog.path", "must not be empty (stdout, stderr or a file path)");
                }
                Set<String> seen = new HashSet<>();
                check.required("observability.accessLog.fields", log.fields());
                for (String f : log.fields() == null ? List.<String>of() : log.fields()) {
                    if (!ConfigLoader.ACCESS_LOG_FIELDS.contains(f)) {
                        String hint = Names.closest(f, ConfigLoader.ACCESS_LOG_FIELDS);
                        check.error("observability.accessLog.fields", "unknown field '" + f + "'" + (hint == null ? ""
                                : " (did you mean '" + hint + "'?)") + "; known: " + String.join(", ", ConfigLoader.ACCESS_LOG_FIELDS));
                    } else if (!seen.add(f)) {
                        check.error("observability.accessLog.fields", "'" + f + "' is listed twice");
                    }
                }
            }
            var t = o.tracing();
            if (check.required("observability.tracing", t)) {
                String e = t.otlpEndpoint();
                if (e != null && !e.startsWith("http://") && !e.startsWith("https://")) {
                    check.error("observability.tracing.otlpEndpoint", "must be an http:// or https:// URL (was '" + e + "')");
                }
                if (t.serviceName() != null && t.serviceName().isBlank()) check.error("observability.tracing.serviceName", "must not be empty");
                if (t.sampleRatio() != null) check.range("observability.tracing.sampleRatio", t.sampleRatio(), 0.0, 1.0);
                check.range("observability.tracing.recent.traces", t.recentTraces(), 0, ConfigLoader.MAX_RECENT_TRACES);
            }
        }

        private void jwt(List<JwtProviderConfig> providers) {
            Set<String> names = new HashSet<>();
            for (int i = 0; i < providers.size(); i++) {
                String p = "auth.jwt[" + i + "]";
                JwtProviderConfig j = providers.get(i);
                if (!check.required(p, j)) continue;
                if (check.required(p + ".name", j.name()) && !names.add(j.name())) {
                    check.error(p + ".name", "duplicate JWT provider name '" + j.name() + "'");
                }
                check.required(p + ".issuer", j.issuer());
                if ((j.jwksUri() == null) == (j.jwksFile() == null)) check.error(p + ".jwksUri", "set exactly one of jwksUri and jwksFile");
                if (check.required(p + ".algorithms", j.algorithms()) && j.algorithms().isEmpty()) {
                    check.error(p + ".algorithms", "must name at least one algorithm");
                }
                for (int k = 0; j.algorithms() != null && k < j.algorithms().size(); k++) {
                    String a = j.algorithms().get(k);
                    if (!JwtProviderConfig.SUPPORTED_ALGORITHMS.contains(a)) {
                        check.error(p + ".algorithms[" + k + "]", "unknown algorithm '" + a + "'; expected one of "
                                + String.join(", ", JwtProviderConfig.SUPPORTED_ALGORITHMS));
                    }
                }
                check.required(p + ".audiences", j.audiences());
                check.required(p + ".claimHeaders", j.claimHeaders());
                check.required(p + ".tenantClaim", j.tenantClaim());
                check.notNegative(p + ".clockSkew", j.clockSkew());
                check.positive(p + ".jwksRefresh", j.jwksRefresh());
                check.positive(p + ".jwksTimeout", j.jwksTimeout());
            }
        }

        private void rateLimits(Map<String, RateLimitPolicy> policies) {
            for (Map.Entry<String, RateLimitPolicy> e : policies.entrySet()) {
                String p = "rateLimits.policies." + e.getKey();
                RateLimitPolicy r = e.getValue();
                if (!check.required(p, r)) continue;
                if (r.limit() < 1) check.error(p + ".limit", "must be at least 1 (was " + r.limit() + ")");
                check.positive(p + ".window", r.window());
                check.atLeast(p + ".burst", r.burst(), 0);
                check.required(p + ".key", r.key());
                check.required(p + ".onStoreError", r.onStoreError());
                check.required(p + ".plans", r.plans());
            }
        }

        private void apiKeys(io.strait.config.model.ApiKeysConfig k) {
            String p = "auth.apiKeys";
            if (check.required(p + ".header", k.header()) && !ClusterReader.TOKEN.matcher(k.header()).matches()) {
                check.error(p + ".header", "is not a valid header name ('" + k.header() + "')");
            }
            check.notNegative(p + ".cacheTtl", k.cacheTtl());
            check.notNegative(p + ".negativeCacheTtl", k.negativeCacheTtl());
            var store = k.store();
            if (!check.required(p + ".store", store) || !check.required(p + ".store.type", store.type())) return;
            switch (store.type()) {
                case FILE -> check.required(p + ".store.path", store.path());
                case REDIS -> check.required(p + ".store.uri", store.uri());
            }
        }

        private void rateLimitStore(io.strait.config.model.RateLimitsConfig.Store store) {
            String p = "rateLimits.store";
            if (!check.required(p, store) || !check.required(p + ".type", store.type())) return;
            if (store.type() != io.strait.config.model.RateLimitsConfig.StoreType.LOCAL) check.required(p + ".uri", store.uri());
            check.positive(p + ".timeout", store.timeout());
            check.positive(p + ".syncInterval", store.syncInterval());
            check.required(p + ".keyPrefix", store.keyPrefix());
            check.range(p + ".maxLocalBuckets", store.maxLocalBuckets(), 1, ConfigLoader.MAX_LOCAL_BUCKETS);
        }
    }
}
