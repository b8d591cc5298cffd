package io.strait.proxy.route;

/** STUB until the router branch merges. */
public record RouteMatchResult(Route route) {}
