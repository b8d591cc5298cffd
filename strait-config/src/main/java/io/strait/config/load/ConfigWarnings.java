package io.strait.config.load;

import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.StraitConfig;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a valid configuration does that is almost certainly not meant, each {@code path: message}: findings that
 * do not refuse it (the config applies) but that {@code PUT /config}, {@code strait validate} and a reload show.
 * Only findings that are certain from the model alone, so a warning is never noise:
 * <ul>
 *   <li>a route no listener serves (every listener names its routes, and none names it);</li>
 *   <li>a route that never matches: on every listener that serves it, an earlier route with the same hosts and
 *       the same path (same kind and value) and no method, header, query, cookie or API version condition takes
 *       every request first (the router tries routes with the same path spec in declaration order);</li>
 *   <li>a plain-HTTP listener on an address other than loopback serving a route with authentication: tokens and
 *       API keys cross the network in clear text.</li>
 * </ul>
 * A cluster no route uses is not one: declaring a cluster before the route switches to it is the usual way to move
 * traffic (and to keep the way back).
 */
public final class ConfigWarnings {
    private ConfigWarnings() {}

    /** The findings of a valid {@code config}; empty when there is none. */
    public static List<String> of(StraitConfig config) {
        Errors out = new Errors();
        routes(config, out);
        plainAuth(config, out);
        return out.list();
    }

    private static void routes(StraitConfig config, Errors out) {
        List<RouteConfig> routes = config.routes();
        for (int j = 0; j < routes.size(); j++) {
            RouteConfig r = routes.get(j);
            List<ListenerConfig> serving = new ArrayList<>();
            for (ListenerConfig l : config.listeners()) {
                if (serves(l, r)) serving.add(l);
            }
            if (serving.isEmpty()) {
                out.add("routes[" + j + "]", "no listener serves route '" + r.name() + "' (each names its routes, none names this one)");
                continue;
            }
            String shadow = null;
            for (ListenerConfig l : serving) {
                String s = shadowOn(l, routes, j);
                if (s == null) {
                    shadow = null;
                    break;
                }
                if (shadow == null) shadow = s;
            }
            if (shadow != null) {
                out.add("routes[" + j + "]", "never matches: " + shadow + " comes first with the same hosts and path"
                        + " and no other condition, so it takes every request this route would");
            }
        }
    }

    /** Whether the route takes only requests of its API version (a header, query or media-type version set). */
    private static boolean versionCondition(RouteConfig r) {
        return r.filter(FilterCatalog.VERSION) instanceof io.strait.config.model.RouteVersion v && v.versionSet() != null
                && v.versionSet().scheme() != io.strait.config.model.VersionSetConfig.Scheme.PATH;
    }

    /** The earlier route on {@code l} that takes every request of route {@code j}, as {@code routes[i] ('name')}, or null. */
    private static String shadowOn(ListenerConfig l, List<RouteConfig> routes, int j) {
        RouteMatch m = routes.get(j).match();
        for (int i = 0; i < j; i++) {
            RouteConfig earlier = routes.get(i);
            if (!serves(l, earlier)) continue;
            RouteMatch e = earlier.match();
            if (e.pathKind() == m.pathKind() && e.path().equals(m.path()) && hosts(e).equals(hosts(m))
                    && e.methods().isEmpty() && e.headers().isEmpty() && e.query().isEmpty() && e.cookies().isEmpty()
                    && !versionCondition(earlier)) {
                return "routes[" + i + "] ('" + earlier.name() + "')";
            }
        }
        return null;
    }

    private static Set<String> hosts(RouteMatch m) {
        Set<String> out = new HashSet<>();
        m.hosts().forEach(h -> out.add(h.toLowerCase(Locale.ROOT)));
        return out;
    }

    private static boolean serves(ListenerConfig l, RouteConfig r) {
        return !l.namesRoutes() || l.routes().contains(r.name());
    }

    private static void plainAuth(StraitConfig config, Errors out) {
        for (int i = 0; i < config.listeners().size(); i++) {
            ListenerConfig l = config.listeners().get(i);
            if (l.secure() || l.redirectToHttps() != null || loopback(l.address().host())) continue;
            for (RouteConfig r : config.routes()) {
                if (serves(l, r) && r.auth().mode() != io.strait.config.model.RouteAuth.Mode.NONE) {
                    out.add("listeners[" + i + "]", "serves route '" + r.name() + "', which takes credentials, over plain HTTP on "
                            + l.address() + ": tokens and API keys cross the network in clear text (add tls, or terminate TLS in front)");
                    break;
                }
            }
        }
    }

    /** Whether {@code host} names this machine only: {@code localhost}, 127.0.0.0/8 or ::1. */
    static boolean loopback(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return h.equals("localhost") || h.startsWith("127.") || h.equals("::1") || h.equals("0:0:0:0:0:0:0:1");
    }
}
