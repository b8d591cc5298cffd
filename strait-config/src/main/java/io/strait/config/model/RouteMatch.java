package io.strait.config.model;

import java.util.List;
import java.util.Set;

/**
 * What a route matches. A request matches when every given condition holds.
 *
 * @param pathKind how {@code path} is compared
 * @param hosts host names (exact, or {@code *.example.com}); empty matches any host
 * @param methods upper-case method names; empty matches any method
 */
public record RouteMatch(
        PathKind pathKind,
        String path,
        List<String> hosts,
        Set<String> methods,
        List<ValueMatch> headers,
        List<ValueMatch> query,
        List<ValueMatch> cookies) {

    /** A match without cookie conditions. */
    public RouteMatch(PathKind pathKind, String path, List<String> hosts, Set<String> methods, List<ValueMatch> headers,
            List<ValueMatch> query) {
        this(pathKind, path, hosts, methods, headers, query, List.of());
    }

    public enum PathKind { EXACT, PREFIX, TEMPLATE, REGEX }

    /** A header, query parameter or cookie condition. */
    public record ValueMatch(String name, Op op, String value) {
        public enum Op { EXACT, PREFIX, REGEX, PRESENT, ABSENT }
    }
}
