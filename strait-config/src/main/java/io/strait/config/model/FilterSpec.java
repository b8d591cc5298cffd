package io.strait.config.model;

/**
 * One entry of a {@code filters:} list: the filter's registered name and its validated settings.
 * {@code path} is where it was written ({@code routes[0].filters[1]} or {@code routes[0].auth}), for errors.
 * Short forms ({@code auth:}, {@code rateLimit:} on a route) are read into the same entries.
 */
public record FilterSpec(String name, FilterConfig config, String path) {}
