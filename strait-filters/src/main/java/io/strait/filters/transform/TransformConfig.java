package io.strait.filters.transform;

import io.strait.config.model.FilterConfig;
import io.strait.filters.headers.ValueTemplate;
import io.strait.proxy.filter.BodyAccess.OverLimit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of one {@code transform} filter: what it changes in the request before it goes upstream
 * (headers, query, path, method, a JSON body) and in the response on its way back (headers, a JSON body).
 * Every list of changes runs in Kong's order: {@code remove}, {@code rename}, {@code replace}, {@code add},
 * {@code append}; within a verb, in the order written. Shaped as written (an absent section is null, maps keep the
 * file's order, a value shows as its text), so {@code GET /config} shows it as it loads.
 *
 * @param request the request's changes, or null
 * @param response the response's changes, or null
 */
public record TransformConfig(Request request, Response response) implements FilterConfig {
    /**
     * The largest JSON body read whole by default, either way: API documents are far smaller, and a body held
     * whole costs its bytes plus its tree (several times the bytes) for as long as the filter works on it.
     */
    public static final long DEFAULT_MAX_SIZE = 1024 * 1024;

    /**
     * What {@link TransformReader} would refuse in these settings (except a path template's captures, which only
     * the reader can check against the route), in its words and at its paths ({@code request.body.add./a~}).
     */
    @Override
    public List<Problem> problems() {
        List<Problem> out = new ArrayList<>();
        if (changesNothing()) out.add(new Problem("", TransformReader.CHANGES_NOTHING));
        if (request != null) {
            Checks.headers("request.headers", request.headers(), out);
            Checks.query("request.query", request.query(), out);
            if (request.path() != null) Checks.path("request.path", request.path(), out);
            if (request.method() != null) Checks.method("request.method", request.method(), out);
            if (request.body() != null) Checks.body("request.body", request.body(), out);
        }
        if (response != null) {
            Checks.headers("response.headers", response.headers(), out);
            if (response.body() != null) Checks.body("response.body", response.body(), out);
        }
        return out;
    }

    @Override
    public boolean shapesResponseBodies() {
        return response != null && response.body() != null && !response.body().ops().isEmpty();
    }

    /** Whether no section asks for a change. */
    boolean changesNothing() {
        boolean req = request == null || (empty(request.headers()) && empty(request.query()) && request.path() == null
                && request.method() == null && (request.body() == null || request.body().ops().isEmpty()));
        boolean res = response == null || (empty(response.headers()) && (response.body() == null || response.body().ops().isEmpty()));
        return req && res;
    }

    private static boolean empty(Ops ops) {
        return ops == null || ops.isEmpty();
    }

    /**
     * The request's changes; a part not given is null.
     *
     * @param headers header changes (names case-insensitive)
     * @param query query parameter changes (names and values as decoded; new ones are percent-encoded)
     * @param path a new path, from a template or a regular expression
     * @param method the method the upstream gets (a HEAD request keeps its method)
     * @param body JSON body changes
     */
    public record Request(Ops headers, Ops query, PathRewrite path, String method, Body body) {}

    /**
     * The response's changes; a part not given is null.
     *
     * @param headers header changes
     * @param body JSON body changes
     */
    public record Response(Ops headers, Body body) {}

    /**
     * Changes to one kind of named thing (headers, query parameters, JSON pointers), in Kong's order.
     *
     * @param remove names removed (with every value)
     * @param rename each present {@code from} moved to {@code to} (replacing what {@code to} held)
     * @param replace each present name's value replaced (nothing created)
     * @param add each absent name set (nothing replaced)
     * @param append one more value, always (a header's or parameter's next value; a JSON array's next element)
     */
    public record Ops(List<String> remove, Map<String, String> rename, Map<String, ValueTemplate> replace,
            Map<String, ValueTemplate> add, Map<String, ValueTemplate> append) {
        public static final Ops NONE = new Ops(List.of(), Map.of(), Map.of(), Map.of(), Map.of());

        public Ops {
            remove = List.copyOf(remove);
            rename = ordered(rename);
            replace = ordered(replace);
            add = ordered(add);
            append = ordered(append);
        }

        public boolean isEmpty() {
            return remove.isEmpty() && rename.isEmpty() && replace.isEmpty() && add.isEmpty() && append.isEmpty();
        }
    }

    /**
     * A new path: {@code template} with the route's path template captures ({@code /internal/users/{id}}), or the
     * first match of {@code regex} in the normalized path replaced by {@code replacement} ({@code $1},
     * {@code ${name}}); one of the two.
     */
    public record PathRewrite(String template, String regex, String replacement) {}

    /**
     * JSON body changes by JSON pointer (RFC 6901), on bodies of a JSON media type up to {@code maxSize} bytes
     * (a gzip response's size decoded).
     *
     * @param maxSize the longest body read whole
     * @param overLimit a longer response's fate: relayed unchanged ({@code pass}) or a 502 ({@code reject}); null on
     *     the request side, where a longer body is always a 413
     */
    public record Body(long maxSize, OverLimit overLimit, List<String> remove, Map<String, String> rename,
            Map<String, ValueTemplate> replace, Map<String, ValueTemplate> add, Map<String, ValueTemplate> append) {
        public Body {
            remove = List.copyOf(remove);
            rename = ordered(rename);
            replace = ordered(replace);
            add = ordered(add);
            append = ordered(append);
        }

        /** The changes, as for headers. */
        public Ops ops() {
            return new Ops(remove, rename, replace, add, append);
        }
    }

    private static <V> Map<String, V> ordered(Map<String, V> m) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(m));
    }
}
