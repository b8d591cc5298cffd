package io.strait.proxy.route;

import java.util.Map;

/**
 * A successful route match: the route, and the template's path parameters ({@code {name}} to the segment as it
 * appears in the normalized path, still percent-encoded; a final {@code {**}} under {@code "**"}), empty for
 * other kinds of route.
 */
public record RouteMatchResult(Route route, Map<String, String> pathParams) {}
