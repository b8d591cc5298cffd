package io.strait.config.model;

import java.util.List;

/**
 * The settings of one filter in a route's or listener's {@code filters:} list: an immutable record,
 * read once when the configuration loads and shared by every request. Each filter's package defines
 * its own record and the reader that builds it ({@link io.strait.config.load.FilterReader}).
 *
 * <p>A record a reader would refuse can also be built by code (a control plane's push): {@link #problems()}
 * lets the record say what is wrong with it, so the model validator ({@code io.strait.config.load.ConfigValidator})
 * reports it with its path, whatever the source. It must be cheap and must not read files or the network.
 */
public interface FilterConfig {
    /**
     * One problem of a filter's settings.
     *
     * @param field the field inside the filter's settings ({@code maxAge}, {@code request.set.X-Id}), "" for the whole
     * @param message what is wrong, worded as the filter's reader words it
     */
    record Problem(String field, String message) {}

    /** What is wrong with these settings; empty (the default) when nothing is, or when the filter does not say. */
    default List<Problem> problems() {
        return List.of();
    }

    /**
     * The clusters these settings call, by the field inside the settings that names each ({@code calls.user.cluster}
     * to {@code users}): checked against the {@code clusters} section as a route's cluster is, so a typo is
     * {@code routes[2].aggregate.calls.user.cluster: unknown cluster 'userz' (did you mean 'users'?)}.
     * Empty (the default) for filters that call no cluster.
     */
    default java.util.Map<String, String> clusterReferences() {
        return java.util.Map.of();
    }

    /**
     * Whether these settings change the bodies of upstream responses (field selection, a response body transform).
     * A route whose filter answers every request itself (aggregate, graphql) has no upstream response, and its
     * answer passes no body callback: such a filter there is refused rather than silently doing nothing. False
     * (the default) for filters that leave response bodies alone.
     */
    default boolean shapesResponseBodies() {
        return false;
    }
}
