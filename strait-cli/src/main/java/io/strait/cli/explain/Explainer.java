package io.strait.cli.explain;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.strait.config.load.Names;
import io.strait.config.model.ClusterConfig;
import io.strait.config.model.EndpointConfig;
import io.strait.config.model.FilterSpec;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RateLimitPolicy;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.RouteAuth;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteRateLimit;
import io.strait.config.model.RouteVersion;
import io.strait.config.model.StraitConfig;
import io.strait.config.model.TrafficPolicy;
import io.strait.config.model.VersionSetConfig;
import io.strait.gateway.versioning.DeprecationHeaders;
import io.strait.mesh.authz.AuthzConfig;
import io.strait.mesh.authz.AuthzDecision;
import io.strait.mesh.authz.AuthzEngine;
import io.strait.mesh.authz.AuthzRequest;
import io.strait.mesh.authz.Peer;
import io.strait.proxy.route.RouteMatchResult;
import io.strait.proxy.route.Router;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one request would meet in a loaded configuration, as a JSON tree ({@code --output json} prints it, the text
 * report renders it): the listener, the route the engine's {@link Router} picks and why each other route does not
 * take it ({@link RouteReasons}), the route's filters in order with what can be known offline, and the cluster with
 * its endpoints, balancer, retries, timeouts and traffic split.
 */
final class Explainer {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final StraitConfig config;
    private final Instant now;

    Explainer(StraitConfig config, Instant now) {
        this.config = config;
        this.now = now;
    }

    ObjectNode explain(ListenerConfig listener, ExplainRequest req, String sourcePrincipal) {
        ObjectNode out = F.objectNode();
        out.putObject("request").put("method", req.method()).put("path", req.path()).put("query", req.query())
                .put("host", req.host()).put("listener", listener.name()).put("address", listener.address().toString());
        if (!listener.filters().isEmpty()) {
            ArrayNode lf = out.putArray("listenerFilters");
            listener.filters().forEach(f -> lf.add(f.name()));
        }
        List<RouteConfig> routes = routesOf(listener);
        RouteMatchResult match = Router.build(routes).match(req.routeRequest());
        RouteConfig chosen = match == null ? null : match.route().config();
        ArrayNode others = out.putArray("otherRoutes");
        for (int i = 0; i < config.routes().size(); i++) {
            RouteConfig r = config.routes().get(i);
            if (r == chosen) continue;
            ObjectNode o = others.addObject().put("index", i).put("name", r.name());
            if (!routes.contains(r)) {
                o.put("reason", "not served on listener '" + listener.name() + "'");
                continue;
            }
            String why = RouteReasons.whyNot(r, req.routeRequest());
            o.put("reason", why != null ? why : "matches too, but route '" + chosen.name() + "' comes first (see How a route is chosen)");
        }
        if (chosen == null) {
            out.putObject("answer").put("status", 404).put("error", "route_not_found")
                    .put("message", "no route for " + req.method() + " " + req.path());
            return out;
        }
        ObjectNode route = out.putObject("route").put("index", config.routes().indexOf(chosen)).put("name", chosen.name())
                .put("match", describe(chosen));
        if (!match.pathParams().isEmpty()) route.putPOJO("pathParams", match.pathParams());
        if (chosen.rewrite() != null) route.put("rewrite", String.valueOf(chosen.rewrite()));
        AuthExplainer auth = new AuthExplainer(config.auth(), req, now);
        ArrayNode filters = out.putArray("filters");
        for (FilterSpec f : chosen.filters()) filters.add(filter(f, chosen, req, auth, sourcePrincipal));
        upstream(chosen, out);
        return out;
    }

    private List<RouteConfig> routesOf(ListenerConfig l) {
        if (!l.namesRoutes()) return config.routes();
        java.util.Set<String> wanted = java.util.Set.copyOf(l.routes());
        return config.routes().stream().filter(r -> wanted.contains(r.name())).toList();
    }

    private static String describe(RouteConfig r) {
        var m = r.match();
        StringBuilder sb = new StringBuilder(Names.of(m.pathKind())).append(' ').append(m.path());
        if (m.hosts() != null && !m.hosts().isEmpty()) sb.append(", hosts ").append(m.hosts());
        if (m.methods() != null && !m.methods().isEmpty()) sb.append(", methods ").append(RouteReasons.sorted(m.methods()));
        if (!m.headers().isEmpty()) sb.append(", ").append(m.headers().size()).append(" header condition(s)");
        if (!m.query().isEmpty()) sb.append(", ").append(m.query().size()).append(" query condition(s)");
        return sb.toString();
    }

    private ObjectNode filter(FilterSpec f, RouteConfig route, ExplainRequest req, AuthExplainer auth, String principal) {
        ObjectNode n = F.objectNode().put("filter", f.name()).put("at", f.path());
        switch (f.config()) {
            case RouteAuth a -> auth.explain(a, n);
            case RouteRateLimit r -> rateLimit(r, route, req, auth.caller(), n);
            case RouteVersion v -> version(v, n);
            case AuthzConfig a -> authz(a, req, principal, n);
            case io.strait.filters.cors.CorsConfig c -> cors(c, req, n);
            case null -> n.put("settings", "none");
            default -> n.put("settings", String.valueOf(f.config()));
        }
        return n;
    }

    private void rateLimit(RouteRateLimit r, RouteConfig route, ExplainRequest req, AuthExplainer.Caller caller, ObjectNode n) {
        n.put("store", Names.of(config.rateLimits().store().type()));
        ArrayNode policies = n.putArray("policies");
        for (String name : r.policies()) {
            RateLimitPolicy p = config.rateLimits().policy(name);
            if (p == null) continue;
            ObjectNode o = policies.addObject().put("policy", name);
            RateLimitPolicy.Plan plan = caller.plan() == null ? null : p.plans().get(caller.plan());
            long limit = plan != null ? plan.limit() : p.limit();
            Duration window = plan != null && plan.window() != null ? plan.window() : p.window();
            o.put("limit", limit + " per " + window.toString().substring(2).toLowerCase(java.util.Locale.ROOT));
            if (plan != null) o.put("plan", caller.plan());
            o.put("burst", p.burst());
            Map<String, String> key = new LinkedHashMap<>();
            for (RateLimitPolicy.Descriptor d : p.key()) key.put(d.toString(), descriptorValue(d, route, req, caller));
            o.putPOJO("key", key);
            o.put("onStoreError", Names.of(p.onStoreError()));
        }
    }

    private static String descriptorValue(RateLimitPolicy.Descriptor d, RouteConfig route, ExplainRequest req, AuthExplainer.Caller c) {
        return switch (d.kind()) {
            case CLIENT -> c.keyId() != null ? "key " + c.keyId() : c.subject() != null ? "subject " + c.subject()
                    : "the client address (known at run time)";
            case TENANT -> c.tenant() != null ? c.tenant() : "(no tenant)";
            case IP -> "the client address (known at run time)";
            case ROUTE -> route.name();
            case METHOD -> req.method();
            case HEADER -> req.header(d.header()) == null ? "(absent)" : req.header(d.header());
        };
    }

    private void version(RouteVersion v, ObjectNode n) {
        n.put("set", v.set()).put("version", v.version());
        VersionSetConfig.ApiVersion api = v.apiVersion();
        if (v.versionSet() != null) n.put("scheme", v.versionSet().scheme().configName());
        if (api == null || !api.announced()) {
            n.put("effect", "passes; the response gets no deprecation headers");
            return;
        }
        ObjectNode headers = n.putObject("responseHeaders");
        if (api.deprecated() != null) headers.put("Deprecation", DeprecationHeaders.deprecation(api.deprecated()));
        if (api.sunset() != null) headers.put("Sunset", DeprecationHeaders.sunset(api.sunset()));
        if (api.successor() != null) n.put("successor", api.successor());
        n.put("effect", api.sunset() != null && !api.sunset().isAfter(now)
                ? "410 api_version_sunset: the version's sunset has passed" : "passes, with the headers below");
    }

    private static void cors(io.strait.filters.cors.CorsConfig c, ExplainRequest req, ObjectNode n) {
        n.put("settings", String.valueOf(c));
        String origin = req.header("Origin");
        if (origin == null) {
            n.put("effect", "passes: no Origin header, not a cross-origin request");
            return;
        }
        boolean allowed = c.anyOrigin() || c.allowOrigins().contains(origin);
        boolean preflight = req.method().equals("OPTIONS") && req.header("Access-Control-Request-Method") != null;
        n.put("effect", preflight ? (allowed ? "204: a preflight the gateway answers itself (no credential needed)"
                        : "the preflight gets no CORS headers: the browser refuses the call")
                : allowed ? "passes; the answer gets Access-Control-Allow-Origin: " + origin
                : "passes without CORS headers: the browser hides the answer from " + origin);
    }

    private static void authz(AuthzConfig a, ExplainRequest req, String principal, ObjectNode n) {
        n.put("workload", a.namespace() + " " + a.labels());
        n.put("caller", principal == null ? "plaintext (no --source-principal)" : Peer.of(principal).principal());
        Map<String, String> headers = new LinkedHashMap<>();
        req.headers().forEach(e -> headers.merge(e.getKey(), e.getValue(), (x, y) -> x + "," + y));
        AuthzDecision d = new AuthzEngine(a.policies(), a.rootNamespace()).forWorkload(a.namespace(), a.labels())
                .evaluate(new AuthzRequest(Peer.of(principal), req.method(), req.path(), headers));
        n.put("decision", d.describe());
        if (!d.allowed()) n.put("effect", "403 rbac_denied");
    }

    private void upstream(RouteConfig r, ObjectNode out) {
        ObjectNode route = (ObjectNode) out.get("route");
        route.put("timeout", r.timeout() == null || r.timeout().isZero() ? "none" : r.timeout().toString().substring(2).toLowerCase());
        RetryPolicy rp = r.retries();
        route.put("retries", rp == null || rp.attempts() == 0 ? "none" : rp.attempts() + " attempt(s) on "
                + rp.retryOn().stream().map(Names::of).sorted().toList()
                + (rp.statusCodes().isEmpty() ? "" : " and status " + rp.statusCodes())
                + (rp.perTryTimeout() == null ? "" : ", " + rp.perTryTimeout().toString().substring(2).toLowerCase() + " per try"));
        TrafficPolicy t = r.traffic();
        if (t != null && !t.split().isEmpty()) {
            ArrayNode split = route.putArray("split");
            for (TrafficPolicy.Split s : t.split()) split.addObject().putPOJO("subset", s.subset()).put("weight", s.weight());
        }
        if (t != null && !t.subset().isEmpty()) route.putPOJO("subset", t.subset());
        if (t != null && t.mirror() != null) route.put("mirror", t.mirror().cluster() + " (" + t.mirror().percent() + "%)");
        if (t != null && t.fault() != null) route.put("fault", String.valueOf(t.fault()));
        ClusterConfig c = r.cluster() == null ? null : config.clusters().get(r.cluster());
        if (c == null) {
            out.putObject("answer").put("status", 503).put("error", "no_cluster").put("message", "route " + r.name() + " has no cluster");
            return;
        }
        ObjectNode cn = out.putObject("cluster").put("name", c.name()).put("loadBalancer", Names.of(c.loadBalancer()))
                .put("protocol", Names.of(c.protocol())).put("tls", c.tls() != null);
        ArrayNode eps = cn.putArray("endpoints");
        for (EndpointConfig e : c.endpoints()) {
            ObjectNode en = eps.addObject().put("address", e.address().toString()).put("weight", e.weight());
            if (e.zone() != null) en.put("zone", e.zone());
            if (!e.labels().isEmpty()) en.putPOJO("labels", e.labels());
        }
        if (c.healthCheck() != null) cn.put("healthCheck", c.healthCheck().path());
    }
}
