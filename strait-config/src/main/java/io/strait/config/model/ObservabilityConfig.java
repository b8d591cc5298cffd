package io.strait.config.model;

import java.util.List;

/** Access log and tracing settings. */
public record ObservabilityConfig(AccessLog accessLog, Tracing tracing) {

    /**
     * One JSON line per request.
     *
     * @param path {@code stdout}, {@code stderr}, or a file path
     * @param fields which fields each line has, in order
     */
    public record AccessLog(boolean enabled, String path, List<String> fields) {}

    /**
     * W3C trace context is always propagated; spans are exported over OTLP/HTTP when {@code
     * otlpEndpoint} is set.
     */
    public record Tracing(String otlpEndpoint, String serviceName, double sampleRatio) {}
}
