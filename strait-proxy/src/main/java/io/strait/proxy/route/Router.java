package io.strait.proxy.route;

import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import java.util.ArrayList;
import java.util.List;

/** STUB until the router branch merges: prefix/exact only, in order. */
public final class Router {
    private final List<Route> routes;
    private Router(List<Route> routes) { this.routes = routes; }
    public static Router build(List<RouteConfig> configs) {
        List<Route> r = new ArrayList<>();
        for (RouteConfig c : configs) r.add(new Route(c));
        return new Router(r);
    }
    public RouteMatchResult match(RouteRequest req) {
        for (Route r : routes) {
            RouteMatch m = r.config().match();
            boolean ok = switch (m.pathKind()) {
                case EXACT -> req.path().equals(m.path());
                case PREFIX -> req.path().startsWith(m.path());
                default -> false;
            };
            if (ok && (m.methods().isEmpty() || m.methods().contains(req.method()))) return new RouteMatchResult(r);
        }
        return null;
    }
}
