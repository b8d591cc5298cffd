package io.strait.config.load;

import io.strait.config.model.AdminConfig;
import io.strait.config.model.HostPort;
import io.strait.config.model.ListenerConfig;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.StraitConfig;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks that span sections of a configuration model (names that refer to other sections, ports that
 * clash), with the same paths and messages as the loader's: part of {@link ConfigValidator}'s one pass, which
 * every model gets (read from a document or built by code); {@link #check(StraitConfig)} runs them alone.
 */
public final class ConfigCheck {
    /** Hosts that bind every interface: they clash with any other host on the same port. */
    private static final Set<String> ANY_HOST = Set.of("0.0.0.0", "::");

    private ConfigCheck() {}

    /** Every cross-section error of {@code config}, each {@code path: message}; empty when there is none. */
    public static List<String> check(StraitConfig config) {
        Errors errors = new Errors();
        if (config.admin() == null || config.admin().address() == null) errors.add("admin.address", "is required");
        else adminToken(config.admin(), errors);
        Set<String> listenerNames = new HashSet<>();
        for (int i = 0; i < config.listeners().size(); i++) {
            ListenerConfig l = config.listeners().get(i);
            if (!listenerNames.add(l.name())) errors.add("listeners[" + i + "].name", "duplicate listener name '" + l.name() + "'");
            if (l.address() == null) errors.add("listeners[" + i + "].address", "is required");
        }
        Set<String> routeNames = new HashSet<>();
        for (int i = 0; i < config.routes().size(); i++) {
            RouteConfig r = config.routes().get(i);
            if (!routeNames.add(r.name())) errors.add("routes[" + i + "].name", "duplicate route name '" + r.name() + "'");
            known(errors, "routes[" + i + "].cluster", "cluster", r.cluster(), config.clusters().keySet());
            if (r.traffic() != null && r.traffic().mirror() != null) {
                known(errors, "routes[" + i + "].mirror.cluster", "cluster", r.traffic().mirror().cluster(), config.clusters().keySet());
            }
            filterClusters(r.filters(), config.clusters().keySet(), errors);
        }
        listenerRoutes(config.listeners(), config.routes(), errors);
        if (config.admin() != null && config.admin().address() != null) ports(config.admin(), config.listeners(), errors);
        return errors.list();
    }

    /** The clusters filters call (an aggregation's calls) are clusters of this configuration. */
    private static void filterClusters(List<io.strait.config.model.FilterSpec> filters, Set<String> clusters, Errors errors) {
        if (filters == null) return;
        for (io.strait.config.model.FilterSpec f : filters) {
            if (f == null || f.config() == null || f.path() == null) continue;
            // a list entry's path is routes[0].filters[1], a short form's routes[0].aggregate: the settings are under the name
            String base = f.path().endsWith("." + f.name()) ? f.path() : f.path() + "." + f.name();
            for (Map.Entry<String, String> ref : f.config().clusterReferences().entrySet()) {
                known(errors, base + "." + ref.getKey(), "cluster", ref.getValue(), clusters);
            }
        }
    }

    /** A token short enough to guess is refused: it guards reconfiguring the whole process. */
    static void adminToken(AdminConfig admin, Errors errors) {
        String t = admin.token();
        if (t == null) return;
        if (t.length() < ConfigLoader.MIN_ADMIN_TOKEN_LENGTH) {
            errors.add("admin.token", "must have at least " + ConfigLoader.MIN_ADMIN_TOKEN_LENGTH + " characters");
        }
        for (int i = 0; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                errors.add("admin.token", "must be printable ASCII without spaces (it is sent in an Authorization header)");
                break;
            }
        }
    }

    /** Every name in a listener's {@code routes} is a route; none is listed twice. */
    static void listenerRoutes(List<ListenerConfig> listeners, List<RouteConfig> routes, Errors errors) {
        Set<String> names = new HashSet<>();
        routes.forEach(r -> names.add(r.name()));
        for (int i = 0; i < listeners.size(); i++) {
            List<String> wanted = listeners.get(i).routes();
            if (wanted == null) continue;
            Set<String> seen = new HashSet<>();
            for (int j = 0; j < wanted.size(); j++) {
                String path = "listeners[" + i + "].routes[" + j + "]";
                String name = wanted.get(j);
                if (!known(errors, path, "route", name, names)) continue;
                if (!seen.add(name)) errors.add(path, "route '" + name + "' is listed twice");
            }
        }
    }

    private static boolean known(Errors errors, String path, String what, String name, Set<String> names) {
        if (name == null || names.contains(name)) return true;
        String hint = Names.closest(name, names);
        errors.add(path, "unknown " + what + " '" + name + "'" + (hint == null ? "" : " (did you mean '" + hint + "'?)"));
        return false;
    }

    /** Two sockets cannot bind the same port on the same host, nor next to a wildcard host on it. */
    static void ports(AdminConfig admin, List<ListenerConfig> listeners, Errors errors) {
        Map<HostPort, String> used = new LinkedHashMap<>();
        used.put(admin.address(), "admin.address");
        for (int i = 0; i < listeners.size(); i++) {
            HostPort a = listeners.get(i).address();
            if (a == null || a.port() == 0) continue;
            for (Map.Entry<HostPort, String> e : used.entrySet()) {
                HostPort b = e.getKey();
                if (b.port() == a.port() && (b.host().equalsIgnoreCase(a.host())
                        || ANY_HOST.contains(a.host()) || ANY_HOST.contains(b.host()))) {
                    errors.add("listeners[" + i + "].address", a + " is already used by " + e.getValue() + " (" + b + ")");
                    break;
                }
            }
            used.putIfAbsent(a, "listeners[" + i + "].address");
        }
    }
}
