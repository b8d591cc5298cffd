package io.strait.config.model;

/** The admin listener: /ready, /metrics, /config, /clusters, /reload. Loopback by default. */
public record AdminConfig(HostPort address) {}
