package io.strait.proxy.route;

import io.strait.config.model.RouteConfig;

/** STUB until the router branch merges. */
public final class Route {
    private final RouteConfig config;
    Route(RouteConfig config) { this.config = config; }
    public RouteConfig config() { return config; }
    public String rewritePath(String normalizedPath) {
        RouteConfig.Rewrite rw = config.rewrite();
        if (rw == null || rw.prefix() == null) return normalizedPath;
        String p = config.match().path();
        String rest = normalizedPath.substring(Math.min(p.length(), normalizedPath.length()));
        String out = rw.prefix().endsWith("/") && rest.startsWith("/") ? rw.prefix() + rest.substring(1) : rw.prefix() + rest;
        return out.isEmpty() ? "/" : out;
    }
}
