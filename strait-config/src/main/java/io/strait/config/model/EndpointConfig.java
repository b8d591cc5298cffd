package io.strait.config.model;

import java.util.Map;

/** One upstream address; a DNS name stands for every address it resolves to. */
public record EndpointConfig(HostPort address, String zone, Map<String, String> labels, int weight) {}
