package io.strait.filters.aggregate;

import io.strait.config.model.FilterConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code aggregate} filter's settings: named upstream calls, run in parallel, merged into one JSON answer.
 *
 * @param timeout how long each call may take (they all start at once, so also the whole fan-out)
 * @param maxResponseSize the largest body a call may return
 * @param calls the calls by key, in the order written (the order {@code merged} applies them)
 * @param merge how the answers combine
 */
public record AggregateConfig(Duration timeout, long maxResponseSize, Map<String, Call> calls, Merge merge) implements FilterConfig {
    /** KrakenD's default backend timeout: an aggregated page is for people waiting on a screen. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Each call's answer is buffered whole and parsed: 1 MiB keeps a fan-out's memory bounded. */
    public static final long DEFAULT_MAX_RESPONSE_SIZE = 1024 * 1024;
    /** The most calls one route fans out to (a page, not a batch job). */
    public static final int MAX_CALLS = 16;

    /** How the calls' answers combine. */
    public enum Merge {
        /** Each answer under its call's key: {@code {"user": {...}, "orders": [...]}} (the default). */
        NESTED,
        /** The answers' fields at the top level, later calls winning; an answer that is not an object stays under its key. */
        MERGED
    }

    /**
     * One upstream call (always a GET: writes are never fanned out).
     *
     * @param cluster the cluster called
     * @param path the path, with {@code {name}} (the route's path template capture, as received) and
     *     {@code %variable%} (the headers filter's variables, percent-encoded when put in)
     * @param query query parameters to add, with the same placeholders
     */
    public record Call(String cluster, String path, Map<String, String> query) {
        public Call {
            query = query == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(query));
        }
    }

    public AggregateConfig {
        calls = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(calls));
    }

    @Override
    public Map<String, String> clusterReferences() {
        Map<String, String> out = new LinkedHashMap<>();
        calls.forEach((key, call) -> {
            if (call != null && call.cluster() != null) out.put("calls." + key + ".cluster", call.cluster());
        });
        return out;
    }

    @Override
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (timeout == null || timeout.isNegative() || timeout.isZero()) out.add(new Problem("timeout", "must be greater than 0"));
        if (maxResponseSize <= 0 || maxResponseSize > Integer.MAX_VALUE) {
            out.add(new Problem("maxResponseSize", "must be greater than 0 and at most 2GiB"));
        }
        if (calls.isEmpty()) out.add(new Problem("calls", "must name at least one call, e.g. {user: {cluster: users, path: /users/{id}}}"));
        if (calls.size() > MAX_CALLS) out.add(new Problem("calls", "must name at most " + MAX_CALLS + " calls"));
        if (merge == null) out.add(new Problem("merge", "must be nested or merged"));
        calls.forEach((key, call) -> {
            if (key.isBlank() || key.startsWith("_")) out.add(new Problem("calls." + key, "a call's key must not be empty or start with '_'"));
            if (call == null) return;
            if (call.cluster() == null || call.cluster().isBlank()) out.add(new Problem("calls." + key + ".cluster", "is required"));
            if (call.path() == null) out.add(new Problem("calls." + key + ".path", "is required"));
            else CallTarget.syntaxProblems(call.path(), "calls." + key + ".path", out);
        });
        return out;
    }
}
