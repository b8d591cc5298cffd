package io.strait.config.load;

import static io.strait.config.load.ConfigLoader.MAX_RETRY_ATTEMPTS;
import static io.strait.config.load.ConfigLoader.MAX_SPLIT_WEIGHT;

import io.strait.config.model.ClusterConfig;
import io.strait.config.model.RetryPolicy;
import io.strait.config.model.RouteConfig;
import io.strait.config.model.RouteMatch;
import io.strait.config.model.RouteMatch.PathKind;
import io.strait.config.model.RouteMatch.ValueMatch;
import io.strait.config.model.TrafficPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The model validator's rules for one route: its match, rewrite, timeouts, retries and traffic shaping, with
 * the paths and words of {@link RouteReader}, {@link RetryReader} and {@link TrafficReader}. References to
 * other sections (clusters, routes, filters) are checked by {@link ConfigValidator}.
 */
final class RouteRules {
    private final Check check;
    private final ClusterRules clusterRules;
    private final Map<String, ClusterConfig> clusters;

    RouteRules(Check check, ClusterRules clusterRules, Map<String, ClusterConfig> clusters) {
        this.check = check;
        this.clusterRules = clusterRules;
        this.clusters = clusters;
    }

    /**
     * {@code terminal}: a filter of the route answers every request itself, so it needs no cluster;
     * {@code anyTerminal}: the process has such filters (the error then names them).
     */
    void route(String p, RouteConfig r, boolean terminal, boolean anyTerminal) {
        if (check.required(p + ".name", r.name())) check.name(p + ".name", r.name());
        if (r.cluster() == null && !terminal) check.error(p + ".cluster", anyTerminal ? RouteReader.MISSING_CLUSTER : "is required");
        if (check.required(p + ".match", r.match())) match(p + ".match", r.match());
        if (r.rewrite() != null) rewrite(p + ".rewrite", r.rewrite(), r.match());
        boolean timed = check.notNegative(p + ".timeout", r.timeout());
        if (r.maxRequestBodySize() != null) check.atLeast(p + ".maxRequestBodySize", r.maxRequestBodySize(), 0);
        if (check.required(p + ".retries", r.retries())) retries(p + ".retries", r.retries(), timed ? r.timeout() : Duration.ZERO);
        if (r.idleTimeout() != null) check.positive(p + ".idleTimeout", r.idleTimeout());
        if (check.required(p + ".traffic", r.traffic())) traffic(p, r.traffic(), r.cluster());
    }

    private void match(String p, RouteMatch m) {
        if (check.required(p + ".pathKind", m.pathKind()) && check.required(p + "." + RouteReader.pathField(m.pathKind()), m.path())) {
            String field = p + "." + RouteReader.pathField(m.pathKind());
            switch (m.pathKind()) {
                case REGEX -> problem(field, RouteReader.regexProblem(m.path()));
                case TEMPLATE -> RouteReader.templateProblems(m.path()).forEach(e -> check.error(field, e));
                default -> problem(field, RouteReader.pathProblem(m.path()));
            }
        }
        if (check.required(p + ".hosts", m.hosts())) {
            for (String h : m.hosts()) problem(p + ".hosts", RouteReader.hostProblem(h));
        }
        if (check.required(p + ".methods", m.methods())) {
            for (String meth : m.methods()) problem(p + ".methods", RouteReader.methodProblem(meth));
        }
        valueMatches(p + ".headers", m.headers(), "header");
        valueMatches(p + ".query", m.query(), null);
        valueMatches(p + ".cookies", m.cookies(), "cookie");
    }

    private void valueMatches(String p, List<ValueMatch> matches, String token) {
        if (!check.required(p, matches)) return;
        for (int i = 0; i < matches.size(); i++) {
            String vp = p + "[" + i + "]";
            ValueMatch v = matches.get(i);
            if (!check.required(vp, v)) continue;
            if (check.required(vp + ".name", v.name()) && token != null && !ClusterReader.TOKEN.matcher(v.name()).matches()) {
                check.error(vp + ".name", "is not a valid " + token + " name");
            }
            if (v.op() == null) {
                check.error(vp, "must set exactly one of exact, prefix, regex, present or absent");
            } else if (v.op() != ValueMatch.Op.PRESENT && v.op() != ValueMatch.Op.ABSENT) {
                String field = vp + "." + Names.of(v.op());
                if (check.required(field, v.value()) && v.op() == ValueMatch.Op.REGEX) problem(field, RouteReader.regexProblem(v.value()));
            }
        }
    }

    private void rewrite(String p, RouteConfig.Rewrite r, RouteMatch match) {
        if (r.prefix() != null) {
            problem(p + ".prefix", RouteReader.pathProblem(r.prefix()));
            if (match != null && match.pathKind() != PathKind.PREFIX && match.pathKind() != PathKind.EXACT) {
                check.error(p + ".prefix", "needs match.path or match.pathPrefix");
            }
        }
        String host = r.host();
        if (host != null && (host.isBlank() || host.chars().anyMatch(c -> c <= ' ' || c == 0x7f))) {
            check.error(p + ".host", "must be a host name without spaces or control characters");
        }
    }

    private void retries(String p, RetryPolicy r, Duration timeout) {
        if (!check.range(p + ".attempts", r.attempts(), 0, MAX_RETRY_ATTEMPTS)) return;
        if (r.attempts() == 0) {
            if (!r.retryOn().isEmpty() || !r.statusCodes().isEmpty()) {
                check.error(p + ".retryOn", "has no effect with attempts: 0 (retries are off); leave it out");
            }
            return;
        }
        if (r.retryOn().isEmpty() && r.statusCodes().isEmpty()) {
            check.error(p + ".retryOn", "must list at least one of 5xx, gateway-error, connect-failure, reset or a status code"
                    + " (leave it out for connect-failure)");
        }
        for (int status : new java.util.TreeSet<>(r.statusCodes())) {
            if (status < 100 || status > 599) check.error(p + ".retryOn", "status " + status + " must be between 100 and 599");
        }
        if (r.perTryTimeout() != null && check.positive(p + ".perTryTimeout", r.perTryTimeout())
                && timeout.compareTo(Duration.ZERO) > 0 && r.perTryTimeout().compareTo(timeout) > 0) {
            check.error(p + ".perTryTimeout", "must be at most the route's timeout (" + RetryReader.format(timeout) + ")");
        }
        if (check.positive(p + ".backoff.base", r.backoffBase()) & check.positive(p + ".backoff.max", r.backoffMax())
                && r.backoffMax().compareTo(r.backoffBase()) < 0) {
            check.error(p + ".backoff.max", "must be at least base (" + RetryReader.format(r.backoffBase()) + ")");
        }
        check.range(p + ".budget.percent", r.budgetPercent(), 1, 100);
        check.range(p + ".budget.minRetries", r.budgetMinRetries(), 0, Integer.MAX_VALUE);
    }

    private void traffic(String p, TrafficPolicy t, String cluster) {
        if (!t.subset().isEmpty()) {
            if (labels(p + ".subset", t.subset())) carried(p + ".subset", cluster, t.subset());
            if (!t.split().isEmpty()) check.error(p + ".split", "cannot be combined with subset: give one of them");
        }
        List<Map<String, String>> seen = new ArrayList<>();
        boolean weighted = false;
        boolean weightsValid = true;
        for (int i = 0; i < t.split().size(); i++) {
            String sp = p + ".split[" + i + "]";
            TrafficPolicy.Split s = t.split().get(i);
            if (s.subset().isEmpty()) {
                check.error(sp + ".subset", "must name at least one label, such as {version: v2}");
            } else if (seen.contains(s.subset())) {
                check.error(sp + ".subset", "is the same subset as split[" + seen.indexOf(s.subset()) + "]");
            } else if (labels(sp + ".subset", s.subset())) {
                carried(sp + ".subset", cluster, s.subset());
            }
            seen.add(s.subset());
            weightsValid &= check.range(sp + ".weight", s.weight(), 0, MAX_SPLIT_WEIGHT);
            weighted |= s.weight() > 0;
        }
        if (!t.split().isEmpty() && !weighted && weightsValid) check.error(p + ".split", "needs at least one weight above 0");
        if (t.stickyOn() != null) {
            if (t.split().isEmpty()) check.error(p + ".stickyOn", "only applies with split");
            clusterRules.hashKey(p + ".stickyOn", t.stickyOn());
        }
        if (t.mirror() != null) {
            String m = p + ".mirror";
            if (check.required(m + ".cluster", t.mirror().cluster()) && t.mirror().cluster().equals(cluster)) {
                check.error(m + ".cluster", "must differ from the route's cluster '" + cluster + "'");
            }
            double percent = t.mirror().percent();
            if (percent == 0) check.error(m + ".percent", "must be greater than 0 and at most 100");
            else check.range(m + ".percent", percent, 0.0, 100.0);
        }
        if (t.fault() != null) fault(p + ".fault", t.fault());
    }

    private void fault(String p, TrafficPolicy.Fault f) {
        boolean delay = f.delay() != null || f.delayPercent() != 0;
        boolean abort = f.abortStatus() != 0 || f.abortPercent() != 0;
        if (!delay && !abort) check.error(p, "must set delay, abort or both");
        if (delay) {
            check.positive(p + ".delay.duration", f.delay());
            check.range(p + ".delay.percent", f.delayPercent(), 0.0, 100.0);
        }
        if (abort) {
            check.range(p + ".abort.status", f.abortStatus(), 200, 599);
            check.range(p + ".abort.percent", f.abortPercent(), 0.0, 100.0);
        }
    }

    /** Label names and values are not empty. */
    private boolean labels(String p, Map<String, String> labels) {
        boolean ok = true;
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey().isBlank()) {
                check.error(p, "label names must not be empty");
                ok = false;
            } else if (e.getValue().isBlank()) {
                check.error(p + "." + e.getKey(), "must not be empty");
                ok = false;
            }
        }
        return ok;
    }

    /** A subset no configured endpoint carries would take its share of requests and answer every one with 503. */
    private void carried(String p, String cluster, Map<String, String> subset) {
        ClusterConfig c = cluster == null ? null : clusters.get(cluster);
        if (c == null || c.endpoints() == null) return;
        boolean carried = c.endpoints().stream()
                .anyMatch(ep -> ep != null && ep.labels() != null && ep.labels().entrySet().containsAll(subset.entrySet()));
        if (!carried) check.error(p, "no endpoint of cluster '" + cluster + "' has labels " + new TreeMap<>(subset));
    }

    private void problem(String path, String problem) {
        if (problem != null) check.error(path, problem);
    }
}
