package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.DEFAULT_MAX_LOCAL_BUCKETS;
import static io.strait.config.load.ConfigLoader.DEFAULT_ON_STORE_ERROR;
import static io.strait.config.load.ConfigLoader.DEFAULT_RATE_LIMIT_IETF_HEADERS;
import static io.strait.config.load.ConfigLoader.DEFAULT_RATE_LIMIT_KEY_PREFIX;
import static io.strait.config.load.ConfigLoader.DEFAULT_RATE_LIMIT_STORE;
import static io.strait.config.load.ConfigLoader.DEFAULT_RATE_LIMIT_SYNC_INTERVAL;
import static io.strait.config.load.ConfigLoader.DEFAULT_RATE_LIMIT_TIMEOUT;
import static io.strait.config.load.ConfigLoader.MAX_LOCAL_BUCKETS;
import static io.strait.config.load.ConfigLoader.MAX_RATE_LIMIT_WINDOW;
import static io.strait.config.load.ConfigLoader.MIN_RATE_LIMIT_INTERVAL;
import static io.strait.config.load.ConfigLoader.MIN_RATE_LIMIT_SYNC_INTERVAL;

import io.strait.config.model.RateLimitPolicy;
import io.strait.config.model.RateLimitPolicy.Descriptor;
import io.strait.config.model.RateLimitPolicy.Descriptor.Kind;
import io.strait.config.model.RateLimitPolicy.OnStoreError;
import io.strait.config.model.RateLimitPolicy.Plan;
import io.strait.config.model.RateLimitsConfig;
import io.strait.config.model.RateLimitsConfig.Store;
import io.strait.config.model.RateLimitsConfig.StoreType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code rateLimits} (the bucket store and the named policies) and then each route's
 * {@code rateLimit}, which must name policies of that section.
 */
final class RateLimitReader {
    /** The shape of an API key's plan name (as {@code ApiKeyRecord} checks it): plans travel in headers. */
    private static final Pattern PLAN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,63}");
    private static final String PLAN_RULE = "plan names use 1-64 letters, digits, '.', '_', ':' or '-',"
            + " starting with a letter or digit";
    private static final String HEADER_PREFIX = "header:";
    private static final String DESCRIPTORS = "client, tenant, ip, route, method or header:NAME";
    private static final long MAX_WINDOW_MICROS = MAX_RATE_LIMIT_WINDOW.toNanos() / 1000;
    private static final long MIN_INTERVAL_MICROS = MIN_RATE_LIMIT_INTERVAL.toNanos() / 1000;

    /** Every name under {@code rateLimits.policies}, valid or not: a route naming a broken policy gets no second error. */
    private final Set<String> declared = new LinkedHashSet<>();
    private RateLimitsConfig config = RateLimitsConfig.NONE;

    /** The section, or {@link RateLimitsConfig#NONE} when the file has none; broken policies are left out. */
    RateLimitsConfig read(Node root) {
        Node n = root.object("rateLimits");
        if (n == null) return config;
        Store store = store(n.object("store"));
        boolean ietf = n.bool("ietfHeaders", DEFAULT_RATE_LIMIT_IETF_HEADERS);
        Map<String, RateLimitPolicy> policies = policies(n);
        n.finish();
        config = new RateLimitsConfig(store, Collections.unmodifiableMap(policies), ietf);
        return config;
    }

    private static Store store(Node n) {
        if (n == null) return Store.LOCAL;
        int before = n.errors().size();
        StoreType type = n.enumValue("type", StoreType.class, DEFAULT_RATE_LIMIT_STORE, s -> Names.parse(StoreType.class, s));
        boolean typeKnown = n.errors().size() == before;
        boolean local = type == StoreType.LOCAL;
        String uri = null;
        if (!typeKnown) {
            n.skip("uri");
        } else if (local) {
            if (n.present("uri")) n.error("uri", "only the redis and hybrid stores use a uri (the store type is local)");
        } else {
            uri = ConfigReader.redisUri(n, "uri");
        }
        boolean cluster = n.bool("cluster", false);
        if (cluster && local && typeKnown) n.error("cluster", "only the redis and hybrid stores use Redis (the store type is local)");
        Duration timeout = ConfigReader.positive(n, "timeout", DEFAULT_RATE_LIMIT_TIMEOUT);
        before = n.errors().size();
        Duration sync = n.duration("syncInterval", DEFAULT_RATE_LIMIT_SYNC_INTERVAL);
        if (n.errors().size() == before && sync.compareTo(MIN_RATE_LIMIT_SYNC_INTERVAL) < 0) {
            n.error("syncInterval", "must be at least " + format(MIN_RATE_LIMIT_SYNC_INTERVAL));
            sync = DEFAULT_RATE_LIMIT_SYNC_INTERVAL;
        }
        String prefix = keyPrefix(n);
        int buckets = n.integer("maxLocalBuckets", DEFAULT_MAX_LOCAL_BUCKETS, 1, MAX_LOCAL_BUCKETS);
        n.finish();
        return new Store(type, uri, cluster, timeout, sync, prefix, buckets);
    }

    /** Printable ASCII without spaces or braces: a brace would change the key's Redis Cluster hash tag. */
    private static String keyPrefix(Node n) {
        String prefix = n.string("keyPrefix", DEFAULT_RATE_LIMIT_KEY_PREFIX);
        if (prefix.isEmpty()) {
            n.error("keyPrefix", "must not be empty");
        } else if (prefix.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || c == '{' || c == '}')) {
            n.error("keyPrefix", "must be printable ASCII without spaces or braces (braces would change the Redis"
                    + " Cluster hash tag) (was '" + prefix + "')");
        }
        return prefix;
    }

    private Map<String, RateLimitPolicy> policies(Node section) {
        declared.addAll(section.keys("policies"));
        Map<String, RateLimitPolicy> out = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : section.namedObjects("policies").entrySet()) {
            String name = e.getKey();
            Node n = e.getValue();
            int before = n.errors().size();
            if (!ConfigReader.NAME.matcher(name).matches()) n.errors().add(n.path(), ConfigReader.NAME_RULE);
            Duration window = window(n, null, true);
            Plan own = limits(n, window);
            List<Descriptor> key = key(n);
            OnStoreError onError = n.enumValue("onStoreError", OnStoreError.class, DEFAULT_ON_STORE_ERROR,
                    s -> Names.parse(OnStoreError.class, s));
            Map<String, Plan> plans = plans(n, window);
            n.finish();
            if (n.errors().size() == before) {
                out.put(name, new RateLimitPolicy(name, own.limit(), own.window(), own.burst(), key, onError, plans));
            }
        }
        return out;
    }

    /**
     * A policy's window (required), or a plan's (not required: default {@code inherited}, its policy's); null
     * when missing or wrong (after an error, or silently for a plan whose policy's window was wrong).
     */
    private static Duration window(Node n, Duration inherited, boolean required) {
        if (!n.has("window")) {
            n.skip("window");
            if (required) n.error("window", "is required");
            return inherited;
        }
        int before = n.errors().size();
        Duration w = ConfigReader.positive(n, "window", null);
        if (n.errors().size() != before) return null;
        if (w.compareTo(MAX_RATE_LIMIT_WINDOW) > 0) {
            n.error("window", "must be at most " + format(MAX_RATE_LIMIT_WINDOW));
            return null;
        }
        return w;
    }

    /**
     * {@code limit} (required) and {@code burst} (default: the limit) of a policy or plan over {@code window};
     * null after an error, or when the window is unknown.
     */
    private static Plan limits(Node n, Duration window) {
        int before = n.errors().size();
        long limit = 0;
        if (n.has("limit")) {
            limit = n.count("limit", 0, 1);
        } else {
            n.skip("limit");
            n.error("limit", "is required");
        }
        long burst = n.count("burst", limit, 1);
        if (n.errors().size() != before || window == null) return null;
        long interval = window.toNanos() / 1000 / limit;
        if (interval < MIN_INTERVAL_MICROS) {
            n.errors().add(n.path(), "limit " + limit + " per " + format(window)
                    + " is finer than 1 microsecond per request");
            return null;
        }
        // burst x interval is how far ahead a full bucket's time runs: bounded, it cannot overflow anywhere
        long maxBurst = MAX_WINDOW_MICROS / interval;
        if (burst > maxBurst) {
            n.error("burst", "must be at most " + maxBurst + " (at " + limit + " per " + format(window)
                    + ", a larger burst takes longer than " + format(MAX_RATE_LIMIT_WINDOW) + " to refill)");
            return null;
        }
        return new Plan(limit, window, burst);
    }

    private static List<Descriptor> key(Node n) {
        List<Descriptor> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        List<String> parts = n.strings("key");
        for (int i = 0; i < parts.size(); i++) {
            String field = "key[" + i + "]";
            Descriptor d = descriptor(n, field, parts.get(i));
            if (d == null) continue;
            if (!seen.add(d.toString().toLowerCase(Locale.ROOT))) {
                n.error(field, "'" + d + "' is listed twice" + (d.kind() == Kind.HEADER ? " (header names ignore case)" : ""));
                continue;
            }
            out.add(d);
        }
        return List.copyOf(out);
    }

    private static Descriptor descriptor(Node n, String field, String s) {
        if (s.startsWith(HEADER_PREFIX)) {
            String header = s.substring(HEADER_PREFIX.length());
            if (ClusterReader.TOKEN.matcher(header).matches()) return new Descriptor(Kind.HEADER, header);
            n.error(field, "'" + header + "' is not a valid header name (write header:NAME, such as header:X-Team)");
            return null;
        }
        Kind kind = Names.parse(Kind.class, s);
        if (kind != null && kind != Kind.HEADER) return new Descriptor(kind, null);
        if (kind == Kind.HEADER) {
            n.error(field, "name the header: header:NAME, such as header:X-Team");
            return null;
        }
        List<String> known = List.of("client", "tenant", "ip", "route", "method", "header");
        String hint = Names.closest(s, known);
        n.error(field, "unknown descriptor '" + s + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)")
                + "; use " + DESCRIPTORS);
        return null;
    }

    private static Map<String, Plan> plans(Node policy, Duration policyWindow) {
        Map<String, Plan> out = new LinkedHashMap<>();
        for (Map.Entry<String, Node> e : policy.namedObjects("plans").entrySet()) {
            Node p = e.getValue();
            int before = p.errors().size();
            if (!PLAN.matcher(e.getKey()).matches()) p.errors().add(p.path(), PLAN_RULE);
            Plan plan = limits(p, window(p, policyWindow, false));
            p.finish();
            if (plan != null && p.errors().size() == before) out.put(e.getKey(), plan);
        }
        return Collections.unmodifiableMap(out);
    }

    /**
     * A route's {@code rateLimit}: one policy name or a list of them, each declared under
     * {@code rateLimits.policies}, none twice. Empty when the route has none.
     */
    List<String> route(Node route) {
        if (!route.has("rateLimit")) {
            route.skip("rateLimit");
            return List.of();
        }
        if (route.isScalar("rateLimit")) {
            String name = route.string("rateLimit", null);
            return known(route, "rateLimit", name) ? List.of(name) : List.of();
        }
        int before = route.errors().size();
        List<String> names = route.strings("rateLimit");
        // an element that is not a string shifts the indexes of the rest: report it alone
        if (route.errors().size() != before) return List.of();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String field = "rateLimit[" + i + "]";
            known(route, field, names.get(i));
            if (!seen.add(names.get(i))) route.error(field, "'" + names.get(i) + "' is named twice");
        }
        return List.copyOf(names);
    }

    private boolean known(Node route, String field, String name) {
        if (config.policy(name) != null || declared.contains(name)) return true;
        String hint = Names.closest(name, declared);
        route.error(field, "unknown rate-limit policy '" + name + "'" + (hint != null ? " (did you mean '" + hint + "'?)"
                : declared.isEmpty() ? " (rateLimits.policies declares none)" : ""));
        return false;
    }

    /** A duration as the file would write it: {@code 1d}, {@code 90s}, {@code 250ms}, {@code 500us}. */
    static String format(Duration d) {
        long us = d.toNanos() / 1000;
        long[] sizes = {86_400_000_000L, 3_600_000_000L, 60_000_000L, 1_000_000L, 1000L};
        String[] units = {"d", "h", "m", "s", "ms"};
        for (int i = 0; i < sizes.length; i++) {
            if (us != 0 && us % sizes[i] == 0) return us / sizes[i] + units[i];
        }
        return us + "us";
    }
}
